//===- CIMTypes.td - Types of the cim dialect --------------*- tablegen -*-===//

#ifndef CIM_DIALECT_CIM_CIMTYPES_TD
#define CIM_DIALECT_CIM_CIMTYPES_TD

include "cim/Dialect/CIM/CIMEnums.td"

def CIM_SmallFloatType : TypeDef<CIM_Dialect, "SmallFloat"> {
  let mnemonic = "float";
  let summary = "an ONNX 8- or 4-bit float (float8 e4m3fn ... float4 e2m1)";
  let description = [{
    The element type of tensors in one of the ONNX small float formats:
    `f8E4M3FN`, `f8E4M3FNUZ`, `f8E5M2`, `f8E5M2FNUZ` (ONNX FLOAT8*, opset
    19), `f8E8M0FNU` (FLOAT8E8M0, opset 24: a power of two, no sign, no
    zero) and `f4E2M1FN` (FLOAT4E2M1, opset 23). MLIR 16 has builtin types
    for two of the six formats only; one dialect type names all of them
    alike. The reference executor stores one element per byte and computes
    in f32 (docs/importer.md); only casts, QuantizeLinear/DequantizeLinear
    and data movement produce or consume these tensors.

    ```mlir
    %q = cim.cast %x : (tensor<5xf32>) -> tensor<5x!cim.float<f8E4M3FN>>
    ```
  }];
  let parameters = (ins "::mlir::cim::SmallFloatFormat":$format);
  let hasCustomAssemblyFormat = 1;
}

#endif // CIM_DIALECT_CIM_CIMTYPES_TD
