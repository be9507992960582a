//===- CIMBase.td - The cim dialect definition -------------*- tablegen -*-===//
//
// Part of cimc. The `cim` dialect carries a neural network from the graph
// level (ONNX-like ops on ranked tensors) through quantization, crossbar
// mapping and scheduling for compute-in-memory accelerators.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMBASE_TD
#define CIM_DIALECT_CIM_CIMBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def CIM_Dialect : Dialect {
  let name = "cim";
  let cppNamespace = "::mlir::cim";
  let summary = "Compute-in-memory compilation: graph, quantization, "
                "crossbar mapping and scheduling";
  let description = [{
    The `cim` dialect is the single IR of the cimc compiler. It has three
    layers that coexist in one module:

    * **Graph level.** Ops on ranked tensors with ONNX semantics in NCHW
      layout (`cim.conv2d`, `cim.gemm`, `cim.matmul`, elementwise ops,
      pooling, normalization, data movement). Weights are `cim.constant` ops.
    * **Quantization.** Every weight-bearing layer may carry a
      `#cim.quant<...>` attribute with its weight and activation bit widths,
      scheme and scales.
    * **Hardware level.** After crossbar mapping a layer carries a
      `#cim.mapping<...>` that lists its crossbar tiles (`#cim.tile<...>`:
      PE, crossbar, weight rows and columns, bit slice, copy); after
      scheduling every compute op carries a `cim.schedule` attribute with
      its start and end cycle.
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let hasConstantMaterializer = 1;
  let useFoldAPI = kEmitFoldAdaptorFolder;
  let extraClassDeclaration = [{
    /// Name of the discardable attribute that holds a `#cim.schedule`.
    static constexpr ::llvm::StringLiteral getScheduleAttrName() {
      return ::llvm::StringLiteral("cim.schedule");
    }
  private:
    void registerAttributes();
    void registerTypes();
  public:
  }];
}

class CIM_Op<string mnemonic, list<Trait> traits = []>
    : Op<CIM_Dialect, mnemonic, traits>;

class CIM_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<CIM_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

#endif // CIM_DIALECT_CIM_CIMBASE_TD
