//===- CIMAttrs.td - Attributes of the cim dialect ---------*- tablegen -*-===//

#ifndef CIM_DIALECT_CIM_CIMATTRS_TD
#define CIM_DIALECT_CIM_CIMATTRS_TD

include "cim/Dialect/CIM/CIMEnums.td"

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def CIM_QuantAttr : CIM_Attr<"Quant", "quant"> {
  let summary = "per-layer quantization: bit widths, schemes and scales";
  let description = [{
    Describes how a weight-bearing layer is quantized.

    * `wbits`, `abits`: weight and input-activation bit widths (1..16).
    * `wscheme`, `ascheme`: `symmetric` (signed range, zero point 0) or
      `asymmetric` (unsigned range with a zero point). Default: symmetric.
    * `granularity`: `per_channel` (one weight scale per output channel,
      the default) or `per_tensor`.
    * `wscale`, `wzp`: weight scales and zero points (absent until
      calibration or a QDQ import provides them).
    * `ascale`, `azp`: scale and zero point of the layer's input activation.

    A real value `r` is represented by the integer
    `q = clamp(round(r / scale) + zp, qmin, qmax)`.

    ```mlir
    #cim.quant<wbits = 4, abits = 8>
    #cim.quant<wbits = 8, abits = 8, ascheme = asymmetric,
               granularity = per_tensor, wscale = [0.02],
               ascale = 0.0039 : f32, azp = 0>
    ```
  }];
  let parameters = (ins
    "unsigned":$wbits,
    "unsigned":$abits,
    DefaultValuedParameter<"::mlir::cim::QuantScheme",
                           "::mlir::cim::QuantScheme::Symmetric">:$wscheme,
    DefaultValuedParameter<"::mlir::cim::QuantScheme",
                           "::mlir::cim::QuantScheme::Symmetric">:$ascheme,
    DefaultValuedParameter<"::mlir::cim::QuantGranularity",
                           "::mlir::cim::QuantGranularity::PerChannel">:$granularity,
    OptionalParameter<"::mlir::DenseF32ArrayAttr">:$wscale,
    OptionalParameter<"::mlir::DenseI32ArrayAttr">:$wzp,
    OptionalParameter<"::mlir::FloatAttr">:$ascale,
    DefaultValuedParameter<"int32_t", "0">:$azp
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "unsigned":$wbits, "unsigned":$abits), [{
      return $_get($_ctxt, wbits, abits, QuantScheme::Symmetric,
                   QuantScheme::Symmetric, QuantGranularity::PerChannel,
                   DenseF32ArrayAttr(), DenseI32ArrayAttr(), FloatAttr(), 0);
    }]>
  ];
  let extraClassDeclaration = [{
    /// Returns a copy with other bit widths and the same scheme and scales.
    QuantAttr withBits(unsigned newWbits, unsigned newAbits) const;
    /// Smallest and largest integer a quantized weight may take.
    int64_t getWeightMin() const;
    int64_t getWeightMax() const;
    /// Smallest and largest integer a quantized input activation may take.
    int64_t getActMin() const;
    int64_t getActMax() const;
  }];
}

//===----------------------------------------------------------------------===//
// Hardware level: crossbar tiles and the mapping of a layer
//===----------------------------------------------------------------------===//

def CIM_TileAttr : CIM_Attr<"Tile", "tile"> {
  let summary = "a block of a layer's weight matrix placed on one crossbar";
  let description = [{
    After im2col a layer is a matrix per group with `rows` input rows and
    `cols` output columns (output channels). A tile holds the weight rows
    `[rowBegin:rowEnd]` and output columns `[colBegin:colEnd]` (half-open
    ranges written as Python slices) of one bit
    slice of one copy of one group, on crossbar `xbar` of processing element
    `pe`, with its top-left cell at physical position `at = [row, col]`.
    How many physical rows and columns that takes depends on the signed
    mapping and the number of slices, which the enclosing `#cim.mapping`
    knows.

    `copy`, `group` and `at` are omitted from the printed form when 0.

    ```mlir
    #cim.tile<pe = 0, xbar = 3, rows = [0:256], cols = [0:64], slice = 1>
    #cim.tile<pe = 2, xbar = 0, rows = [256:300], cols = [0:64], slice = 0,
              copy = 1, at = [0, 128]>
    ```
  }];
  let parameters = (ins
    "int64_t":$pe, "int64_t":$xbar,
    "int64_t":$rowBegin, "int64_t":$rowEnd,
    "int64_t":$colBegin, "int64_t":$colEnd,
    "int64_t":$slice, "int64_t":$copy, "int64_t":$group,
    "int64_t":$atRow, "int64_t":$atCol
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getNumRows() const { return getRowEnd() - getRowBegin(); }
    int64_t getNumCols() const { return getColEnd() - getColBegin(); }
  }];
}

// A bracketed list of tiles, each in its short form `<pe = ...>`.
def CIM_TileArrayParameter
    : ArrayRefParameter<"::mlir::cim::TileAttr", "crossbar tiles"> {
  let parser = "::mlir::cim::parseTileList($_parser)";
  let printer = "::mlir::cim::printTileList($_printer, $_self)";
}

def CIM_MappingAttr : CIM_Attr<"Mapping", "mapping"> {
  let summary = "how a layer's weights are laid out on crossbars";
  let description = [{
    The result of `cim-map-crossbars` for one weight-bearing layer.

    * `rows`, `cols`, `groups`: the im2col matrix shape per group
      (rows = Cin/groups * kh * kw, cols = Cout/groups for a convolution).
    * `slices`: weight bit slices, ceil(wbits / cell bits).
    * `copies`: how many times the weights are duplicated (1 = no
      duplication).
    * `signed_mapping`: signed-weight mapping (`dc`, `of` or `dr`).
    * `xbar_rows`, `xbar_cols`: the crossbar geometry the tiles must fit.
    * `tiles`: the tiles. For every (group, slice, copy) they cover the
      rows x cols matrix exactly once; no two tiles overlap on a crossbar.

    A weight column of one slice takes 2 physical columns under `dc` and
    1 under `of` and `dr`; a weight row takes 2 physical rows under `dr`.
    Under `of`, each crossbar also holds one reference column per row block
    (the distinct first rows `at[0]` of its tiles), at its last columns.
    Groups packed onto one crossbar (`mapping.pack_groups`) are such row
    blocks, side by side along the diagonal.
  }];
  let parameters = (ins
    "int64_t":$rows, "int64_t":$cols, "int64_t":$groups,
    "int64_t":$slices, "int64_t":$copies,
    "::mlir::cim::SignedMapping":$signed_mapping,
    "int64_t":$xbar_rows, "int64_t":$xbar_cols,
    CIM_TileArrayParameter:$tiles
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Physical rows and columns a tile occupies on its crossbar.
    int64_t getPhysicalRows(TileAttr tile) const;
    int64_t getPhysicalCols(TileAttr tile) const;
    /// Number of distinct (pe, xbar) crossbars the tiles occupy.
    int64_t getNumCrossbars() const;
  }];
}

//===----------------------------------------------------------------------===//
// Hardware level: the schedule
//===----------------------------------------------------------------------===//

def CIM_ScheduleAttr : CIM_Attr<"Schedule", "schedule"> {
  let summary = "when an op runs: its order, first and last cycle";
  let description = [{
    Attached by `cim-schedule` to every compute op under the discardable
    name `cim.schedule`. `order` is the op's position in the schedule,
    `start` and `end` the first cycle and the cycle after the last, and
    `sets` the number of output sets the op's output was split into
    (1 for layer-by-layer scheduling).

    ```mlir
    %0 = cim.relu %x {cim.schedule = #cim.schedule<order = 2, start = 120,
                      end = 480, sets = 8>} : tensor<1x8x4x4xf32>
    ```
  }];
  let parameters = (ins "int64_t":$order, "int64_t":$start, "int64_t":$end,
                        DefaultValuedParameter<"int64_t", "1">:$sets);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // CIM_DIALECT_CIM_CIMATTRS_TD
