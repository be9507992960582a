//===- CIMPOps.td - The cimp (chip program) dialect --------*- tablegen -*-===//
//
// Part of cimc. The `cimp` dialect is the program a chip runs, one level
// below the scheduled `cim` graph: the program header, the graph nodes the
// instructions work for, the crossbar layers with their integer weights,
// the hardware units, and the instructions in issue order. prog.cim is its
// binary encoding (docs/program-format.md); prog::Program is the decoded
// form both share.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIMP_CIMPOPS_TD
#define CIM_DIALECT_CIMP_CIMPOPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/OpAsmInterface.td"
include "cim/Dialect/CIM/CIMEnums.td"

def CIMP_Dialect : Dialect {
  let name = "cimp";
  let cppNamespace = "::mlir::cimp";
  let summary = "The program of a compute-in-memory chip: crossbar layers, "
                "units and per-PE instruction streams";
  let description = [{
    A `cimp.program` is what a chip (or `cim-sim`) runs for one inference,
    lowered from a module scheduled by `cim-schedule` (the pass with
    `chip=1` emits it beside the function, from the same schedule).
    `cim-translate --export-prog` encodes a module holding one into
    prog.cim, and `--import-prog` decodes prog.cim back into it; both go
    through `prog::Program`, whose verifier is the program's verifier.

    Inside a program, in this order: nodes (`cimp.node`, one per compute op
    of the graph), crossbar layers (`cimp.layer`), units (`cimp.xbars`,
    `cimp.digital`, `cimp.link`, `cimp.buffer`) and instructions
    (`cimp.write`, `cimp.mvm`, `cimp.vec`, `cimp.send`, `cimp.recv`,
    `cimp.barrier`) in issue order. Each PE's instruction stream is the
    subsequence of instructions with its `pe`. Instructions name their node,
    the units they reserve with the busy time of each, and the earlier
    instructions they wait for as SSA tokens.
  }];
  let dependentDialects = ["::mlir::cim::CIMDialect"];
  let useDefaultTypePrinterParser = 1;
  let useFoldAPI = kEmitFoldAdaptorFolder;
}

class CIMP_Type<string name, string typeMnemonic>
    : TypeDef<CIMP_Dialect, name> {
  let mnemonic = typeMnemonic;
}

def CIMP_NodeType : CIMP_Type<"Node", "node"> {
  let summary = "a node of the functional graph";
}
def CIMP_UnitType : CIMP_Type<"Unit", "unit"> {
  let summary = "a hardware unit instructions reserve";
}
def CIMP_TokenType : CIMP_Type<"Token", "token"> {
  let summary = "the completion of an instruction";
}

class CIMP_Op<string mnemonic, list<Trait> traits = []>
    : Op<CIMP_Dialect, mnemonic, traits>;

// An unsigned 32-bit field of the program, held as an i64 attribute.
def CIMP_Index : ConfinedAttr<I64Attr, [IntNonNegative,
    IntMaxValue<4294967295>]>;

//===----------------------------------------------------------------------===//
// Program, nodes, layers
//===----------------------------------------------------------------------===//

def CIMP_ProgramOp : CIMP_Op<"program",
    [IsolatedFromAbove, NoTerminator, SingleBlock]> {
  let summary = "the program of one inference";
  let description = [{
    The header names the model, the producer, the schedule kind and the
    hardware description the program was compiled for (as YAML,
    docs/hardware.md); the body holds the nodes, layers, units and
    instructions. The verifier decodes the program and runs the program
    verifier: indices, ranges, dependencies, weights in their symmetric
    range, and the `mvm` instructions of every crossbar layer covering its
    invocations exactly once (once per write round under rewriting).

    ```mlir
    cimp.program "lenet5.onnx" producer "cimc"
        schedule #cim.schedule_kind<cross_layer> hardware "name: tiny\0A..." {
      %conv1 = cimp.node "conv1" op "cim.conv2d" sets 7 size 784
      ...
    }
    ```
  }];
  let arguments = (ins StrAttr:$model, StrAttr:$producer,
                       CIM_ScheduleKindAttr:$schedule, StrAttr:$hardware);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $model `producer` $producer `schedule` $schedule `hardware` $hardware
    attr-dict-with-keyword $body
  }];
  let hasRegionVerifier = 1;
}

def CIMP_NodeOp : CIMP_Op<"node",
    [HasParent<"ProgramOp">,
     DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>]> {
  let summary = "a compute op of the functional graph";
  let description = [{
    The `label` (the op's name in the graph), the cim op it stands for, the
    output sets the scheduler split it into, and its `size`: invocations of
    a crossbar layer, output elements of a digital op. Nodes are in graph
    order; instructions name them.

    ```mlir
    %conv1 = cimp.node "conv1" op "cim.conv2d" sets 28 size 784
    ```
  }];
  let arguments = (ins StrAttr:$label, StrAttr:$kind, I64Attr:$sets,
                       I64Attr:$size);
  let results = (outs CIMP_NodeType:$node);
  let assemblyFormat = [{
    $label `op` $kind `sets` $sets `size` $size attr-dict
  }];
}

def CIMP_LayerOp : CIMP_Op<"layer", [HasParent<"ProgramOp">]> {
  let summary = "a crossbar layer: integer weights and their scales";
  let description = [{
    The weights of a node that runs on crossbars, as the crossbars hold
    them: the im2col matrix `[group][row][col]` of integers in the
    symmetric range of `wbits`, `i8` up to 8 bits, else `i16` (a resource
    blob, so that large layers stay cheap). `scales` are the weight scales,
    one per output channel or one for the tensor, as `f32`. `copies` is the
    layer's duplication and `crossbars` the crossbars of all copies.
    Layers are in graph order, the order of the graph's crossbar layers.

    ```mlir
    cimp.layer %conv1 wbits 4 abits 8 copies 2 crossbars 2
        weights dense_resource<cimp_weights_0> : tensor<1x25x6xi8>
        scales dense<[0.01, 0.02, 0.01, 0.03, 0.02, 0.01]> : tensor<6xf32>
    ```
  }];
  let arguments = (ins CIMP_NodeType:$node, I64Attr:$wbits, I64Attr:$abits,
                       I64Attr:$copies, I64Attr:$crossbars,
                       ElementsAttr:$weights, ElementsAttr:$scales);
  let assemblyFormat = [{
    $node `wbits` $wbits `abits` $abits `copies` $copies
    `crossbars` $crossbars `weights` $weights `scales` $scales attr-dict
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Units
//===----------------------------------------------------------------------===//

class CIMP_UnitOp<string mnemonic, string kind> : CIMP_Op<mnemonic,
    [HasParent<"ProgramOp">,
     DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>]> {
  let results = (outs CIMP_UnitType:$unit);
  let extraClassDeclaration = [{
    static constexpr ::mlir::cim::prog::UnitKind kKind =
        ::mlir::cim::prog::UnitKind::}] # kind # [{;
  }];
  // `%digital_pe0`, `%link_pe3`, ...
  let extraClassDefinition = [{
    void $cppClass::getAsmResultNames(::mlir::OpAsmSetValueNameFn setNameFn) {
      nameUnit(*this, setNameFn);
    }
  }];
}

def CIMP_XbarsOp : CIMP_UnitOp<"xbars", "Crossbars"> {
  let summary = "the crossbar group of one copy (or write round) of a layer";
  let description = [{
    The crossbars of one copy of one layer with their DACs and ADCs
    (stationary weights), or all crossbars of the chip for one write round
    (rewriting). Exclusive: an instruction starts when the group is free.

    ```mlir
    %xbars_conv1_c1 = cimp.xbars pe 4 node %conv1 copy 1
    ```
  }];
  let arguments = (ins CIMP_Index:$pe, CIMP_NodeType:$node, CIMP_Index:$copy);
  let assemblyFormat = "`pe` $pe `node` $node `copy` $copy attr-dict";
  // `%xbars_conv1_c2`, defined in C++.
  let extraClassDefinition = "";
}

def CIMP_DigitalOp : CIMP_UnitOp<"digital", "Digital"> {
  let summary = "a PE's digital unit";
  let description = [{
    Shift-and-add, dequantization and vector ops. Shared: concurrent work
    divides its bandwidth (docs/program-format.md, the cycle model).

    ```mlir
    %digital_pe0 = cimp.digital pe 0
    ```
  }];
  let arguments = (ins CIMP_Index:$pe);
  let assemblyFormat = "`pe` $pe attr-dict";
}

def CIMP_LinkOp : CIMP_UnitOp<"link", "Link"> {
  let summary = "a PE's port to the interconnect";
  let description = [{
    Shared, like the digital unit.

    ```mlir
    %link_pe0 = cimp.link pe 0
    ```
  }];
  let arguments = (ins CIMP_Index:$pe);
  let assemblyFormat = "`pe` $pe attr-dict";
}

def CIMP_BufferOp : CIMP_UnitOp<"buffer", "Buffer"> {
  let summary = "a PE's port to its buffers";
  let description = [{
    Shared, like the digital unit.

    ```mlir
    %buffer_pe0 = cimp.buffer pe 0
    ```
  }];
  let arguments = (ins CIMP_Index:$pe);
  let assemblyFormat = "`pe` $pe attr-dict";
}

//===----------------------------------------------------------------------===//
// Instructions
//===----------------------------------------------------------------------===//

// Every instruction has the same operands and attributes; an opcode's
// syntax writes the fields it has (prog::getOpcodeFields) and the program
// verifier requires the others to be 0. The numbers are one array,
// `fields`: pe, set, copy, begin, end, peer, latency_ps, then the event
// counts mvm_steps, adc_conversions, digital_ops, buffer_bytes,
// interconnect_bytes, crossbar_writes (one attribute per instruction keeps
// programs of many instructions cheap to build and to read).
class CIMP_InstOp<string mnemonic, string opcode> : CIMP_Op<mnemonic,
    [HasParent<"ProgramOp">, AttrSizedOperandSegments]> {
  let arguments = (ins
    CIMP_NodeType:$node,
    Variadic<CIMP_UnitType>:$units,
    Variadic<CIMP_TokenType>:$deps,
    DenseI64ArrayAttr:$fields,
    OptionalAttr<DenseI64ArrayAttr>:$busy_ps
  );
  let results = (outs CIMP_TokenType:$token);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    static constexpr ::mlir::cim::prog::Opcode kOpcode =
        ::mlir::cim::prog::Opcode::}] # opcode # [{;
  }];
  let extraClassDefinition = [{
    ::mlir::ParseResult $cppClass::parse(::mlir::OpAsmParser &parser,
                                         ::mlir::OperationState &result) {
      return parseInstruction(parser, result, kOpcode);
    }
    void $cppClass::print(::mlir::OpAsmPrinter &printer) {
      printInstruction(printer, getOperation(), kOpcode);
    }
    ::mlir::LogicalResult $cppClass::verify() {
      return verifyInstruction(getOperation(), kOpcode);
    }
  }];
}

// The fields of every timed instruction, after those of its opcode:
//   lat L uses(%unit : busy, ...) after(%token, ...) events(name = n, ...)
// with L the latency and busy times in picoseconds; uses, after and events
// are left out when empty.

def CIMP_WriteOp : CIMP_InstOp<"write", "Write"> {
  let summary = "write one round of crossbars (weight rewriting)";
  let description = [{
    ```mlir
    %0 = cimp.write pe 0 node %conv1 round 0 lat 51200
        uses(%xbars_conv1_c0 : 51200) events(crossbar_writes = 150)
    ```
  }];
}

def CIMP_MvmOp : CIMP_InstOp<"mvm", "Mvm"> {
  let summary = "run invocations of a crossbar layer on one copy";
  let description = [{
    Invocations `[begin:end]` of the node's layer for output set `set` on
    copy `copy` (the write round under rewriting): every input step of
    every crossbar of the copy, the ADC reads, shift-and-add, the row-tile
    reduction and the output op.

    ```mlir
    %3 = cimp.mvm pe 4 node %conv1 set 1 [4:8] copy 1 lat 5120
        uses(%xbars_conv1_c1 : 4096, %digital_pe4 : 512) after(%1)
        events(mvm_steps = 64, adc_conversions = 256, digital_ops = 96)
    ```
  }];
}

def CIMP_VecOp : CIMP_InstOp<"vec", "Vec"> {
  let summary = "digital work of a graph op on one PE";
  let description = [{
    Output elements `[begin:end]` of set `set` of a digital op (activation,
    pooling, residual add, softmax, ...) on the PE's digital unit.

    ```mlir
    %4 = cimp.vec pe 4 node %relu1 set 1 [96:192] lat 96
        uses(%digital_pe4 : 96, %buffer_pe4 : 12) after(%3)
        events(digital_ops = 96, buffer_bytes = 192)
    ```
  }];
}

def CIMP_SendOp : CIMP_InstOp<"send", "Send"> {
  let summary = "send part of an op's input to another PE";
  let description = [{
    ```mlir
    %5 = cimp.send pe 4 to 9 node %pool1 set 0 [0:0] lat 200
        uses(%link_pe4 : 200) after(%4) events(interconnect_bytes = 192)
    ```
  }];
}

def CIMP_RecvOp : CIMP_InstOp<"recv", "Recv"> {
  let summary = "receive part of an op's input from another PE";
  let description = [{
    ```mlir
    %6 = cimp.recv pe 9 from 4 node %pool1 set 0 [0:0] lat 200
        uses(%link_pe9 : 200) after(%5)
    ```
  }];
}

def CIMP_BarrierOp : CIMP_InstOp<"barrier", "Barrier"> {
  let summary = "wait for instructions (layer-by-layer scheduling)";
  let description = [{
    Ends when every instruction it names has ended; on no PE and taking no
    time.

    ```mlir
    %7 = cimp.barrier node %conv1 after(%3, %4)
    ```
  }];
}

#endif // CIM_DIALECT_CIMP_CIMPOPS_TD
