//===- CIMInterfaces.td - Interfaces of the cim dialect ----*- tablegen -*-===//

#ifndef CIM_DIALECT_CIM_CIMINTERFACES_TD
#define CIM_DIALECT_CIM_CIMINTERFACES_TD

include "mlir/IR/OpBase.td"

def CIM_LayerOpInterface : OpInterface<"LayerOpInterface"> {
  let cppNamespace = "::mlir::cim";
  let description = [{
    A weight-bearing layer: an op whose weights can be stored in crossbars
    and whose work is a sequence of matrix-vector multiplications (MVMs).
    Quantization, crossbar mapping and the cost model see layers only
    through this interface.
  }];
  let methods = [
    InterfaceMethod<"The activation operand (fed to the crossbar rows).",
      "::mlir::Value", "getLayerInput">,
    InterfaceMethod<"The weight operand.", "::mlir::Value", "getLayerWeight">,
    InterfaceMethod<[{
        The im2col view of the layer: a rows x cols matrix per group and the
        number of MVM invocations per group for one inference.
      }], "::mlir::cim::LayerMatrix", "getLayerMatrix">,
    InterfaceMethod<"The layer's quantization, or null.",
      "::mlir::cim::QuantAttr", "getLayerQuant", (ins), [{
        return $_op.getQuantAttr();
      }]>,
    InterfaceMethod<"Sets (or with null, removes) the quantization.",
      "void", "setLayerQuant", (ins "::mlir::cim::QuantAttr":$quant), [{
        if (quant)
          $_op.setQuantAttr(quant);
        else
          $_op->removeAttr($_op.getQuantAttrName());
      }]>,
    InterfaceMethod<"The layer's crossbar mapping, or null.",
      "::mlir::cim::MappingAttr", "getLayerMapping", (ins), [{
        return $_op.getMappingAttr();
      }]>,
    InterfaceMethod<"Sets (or with null, removes) the crossbar mapping.",
      "void", "setLayerMapping", (ins "::mlir::cim::MappingAttr":$mapping), [{
        if (mapping)
          $_op.setMappingAttr(mapping);
        else
          $_op->removeAttr($_op.getMappingAttrName());
      }]>,
    InterfaceMethod<[{
        The layer's name: its `name` attribute, else the name of its
        location (the ONNX node name), else the empty string.
      }], "::llvm::StringRef", "getLayerName", (ins), [{
        if (auto name = $_op.getNameAttr())
          return name.getValue();
        return ::mlir::cim::getNameFromLoc($_op->getLoc());
      }]>
  ];
  let verify = [{ return ::mlir::cim::verifyLayerOp($_op); }];
}

#endif // CIM_DIALECT_CIM_CIMINTERFACES_TD
