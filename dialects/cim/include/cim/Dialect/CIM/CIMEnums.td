//===- CIMEnums.td - Enumerations of the cim dialect -------*- tablegen -*-===//

#ifndef CIM_DIALECT_CIM_CIMENUMS_TD
#define CIM_DIALECT_CIM_CIMENUMS_TD

include "cim/Dialect/CIM/CIMBase.td"

// Enum attributes print as `#cim.<mnemonic><value>`, e.g. #cim.pad_mode<edge>.
class CIM_EnumAttr<EnumAttrInfo info, string mnemonic>
    : EnumAttr<CIM_Dialect, info, mnemonic> {
  let assemblyFormat = "`<` $value `>`";
}

def CIM_QuantScheme : I32EnumAttr<"QuantScheme",
    "how real values map to integers", [
      I32EnumAttrCase<"Symmetric", 0, "symmetric">,
      I32EnumAttrCase<"Asymmetric", 1, "asymmetric">
    ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}
def CIM_QuantSchemeAttr : CIM_EnumAttr<CIM_QuantScheme, "scheme">;

def CIM_QuantGranularity : I32EnumAttr<"QuantGranularity",
    "whether weight scales are per tensor or per output channel", [
      I32EnumAttrCase<"PerTensor", 0, "per_tensor">,
      I32EnumAttrCase<"PerChannel", 1, "per_channel">
    ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}
def CIM_QuantGranularityAttr
    : CIM_EnumAttr<CIM_QuantGranularity, "granularity">;

def CIM_SignedMapping : I32EnumAttr<"SignedMapping",
    "how signed weights are stored in unsigned conductances", [
      // Positive and negative parts in two columns (2x columns).
      I32EnumAttrCase<"DifferentialColumn", 0, "dc">,
      // Weights offset to be non-negative plus one reference column (ISAAC).
      I32EnumAttrCase<"Offset", 1, "of">,
      // Positive and negative parts in two rows (2x rows).
      I32EnumAttrCase<"DifferentialRow", 2, "dr">
    ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}
def CIM_SignedMappingAttr
    : CIM_EnumAttr<CIM_SignedMapping, "signed_mapping">;

def CIM_PadMode : I32EnumAttr<"PadMode", "how cim.pad fills the border", [
      I32EnumAttrCase<"Constant", 0, "constant">,
      I32EnumAttrCase<"Reflect", 1, "reflect">,
      I32EnumAttrCase<"Edge", 2, "edge">,
      I32EnumAttrCase<"Wrap", 3, "wrap">
    ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}
def CIM_PadModeAttr : CIM_EnumAttr<CIM_PadMode, "pad_mode">;

def CIM_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "exact (erf) or tanh-approximated GELU", [
      I32EnumAttrCase<"None", 0, "none">,
      I32EnumAttrCase<"Tanh", 1, "tanh">
    ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}
def CIM_GeluApproximationAttr
    : CIM_EnumAttr<CIM_GeluApproximation, "gelu_approximation">;

def CIM_ResizeMode : I32EnumAttr<"ResizeMode",
    "interpolation of cim.resize", [
      I32EnumAttrCase<"Nearest", 0, "nearest">,
      I32EnumAttrCase<"Linear", 1, "linear">,
      I32EnumAttrCase<"Cubic", 2, "cubic">
    ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}
def CIM_ResizeModeAttr : CIM_EnumAttr<CIM_ResizeMode, "resize_mode">;

def CIM_ResizeCoordinateMode : I32EnumAttr<"ResizeCoordinateMode",
    "how cim.resize maps an output coordinate to an input coordinate", [
      I32EnumAttrCase<"HalfPixel", 0, "half_pixel">,
      I32EnumAttrCase<"HalfPixelSymmetric", 1, "half_pixel_symmetric">,
      I32EnumAttrCase<"PytorchHalfPixel", 2, "pytorch_half_pixel">,
      I32EnumAttrCase<"AlignCorners", 3, "align_corners">,
      I32EnumAttrCase<"Asymmetric", 4, "asymmetric">,
      I32EnumAttrCase<"TfHalfPixelForNn", 5, "tf_half_pixel_for_nn">,
      I32EnumAttrCase<"TfCropAndResize", 6, "tf_crop_and_resize">
    ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}
def CIM_ResizeCoordinateModeAttr
    : CIM_EnumAttr<CIM_ResizeCoordinateMode, "resize_coordinate_mode">;

def CIM_ResizeNearestMode : I32EnumAttr<"ResizeNearestMode",
    "how nearest-mode cim.resize rounds an input coordinate", [
      I32EnumAttrCase<"RoundPreferFloor", 0, "round_prefer_floor">,
      I32EnumAttrCase<"RoundPreferCeil", 1, "round_prefer_ceil">,
      I32EnumAttrCase<"Floor", 2, "floor">,
      I32EnumAttrCase<"Ceil", 3, "ceil">
    ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}
def CIM_ResizeNearestModeAttr
    : CIM_EnumAttr<CIM_ResizeNearestMode, "resize_nearest_mode">;

def CIM_ScheduleKind : I32EnumAttr<"ScheduleKind",
    "how layers are ordered in time", [
      // A layer starts when the previous one is completely done.
      I32EnumAttrCase<"Layer", 0, "layer">,
      // CLSA-style: output sets start as soon as their producer sets exist.
      I32EnumAttrCase<"CrossLayer", 1, "cross_layer">
    ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}
def CIM_ScheduleKindAttr
    : CIM_EnumAttr<CIM_ScheduleKind, "schedule_kind">;

// The ONNX 8- and 4-bit float formats (FLOAT8E4M3FN = 17 to FLOAT8E8M0 =
// 24) that !cim.float<...> names; the spellings follow MLIR's builtin
// f8E4M3FN / f8E5M2 and LLVM's APFloat names.
def CIM_SmallFloatFormat : I32EnumAttr<"SmallFloatFormat",
    "an 8- or 4-bit float format of ONNX", [
      I32EnumAttrCase<"F8E4M3FN", 0, "f8E4M3FN">,
      I32EnumAttrCase<"F8E4M3FNUZ", 1, "f8E4M3FNUZ">,
      I32EnumAttrCase<"F8E5M2", 2, "f8E5M2">,
      I32EnumAttrCase<"F8E5M2FNUZ", 3, "f8E5M2FNUZ">,
      I32EnumAttrCase<"F8E8M0FNU", 4, "f8E8M0FNU">,
      I32EnumAttrCase<"F4E2M1FN", 5, "f4E2M1FN">
    ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}

#endif // CIM_DIALECT_CIM_CIMENUMS_TD
