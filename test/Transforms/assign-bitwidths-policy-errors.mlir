// Every problem in a policy file is one located error: the file, the line
// and column of the entry (or of the JSON syntax error), which entry, and
// what is wrong. The pass fails and leaves the IR alone.
// RUN: not cim-opt %s --cim-assign-bitwidths="policy=%S/Inputs/policy-unknown-name.json" 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not cim-opt %s --cim-assign-bitwidths="policy=%S/Inputs/policy-index-range.json" 2>&1 | FileCheck %s --check-prefix=INDEX
// RUN: not cim-opt %s --cim-assign-bitwidths="policy=%S/Inputs/policy-bits-range.json" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not cim-opt %s --cim-assign-bitwidths="policy=%S/Inputs/policy-both.json" 2>&1 | FileCheck %s --check-prefix=BOTH
// RUN: not cim-opt %s --cim-assign-bitwidths="policy=%S/Inputs/policy-neither.json" 2>&1 | FileCheck %s --check-prefix=NEITHER
// RUN: not cim-opt %s --cim-assign-bitwidths="policy=%S/Inputs/policy-no-bits.json" 2>&1 | FileCheck %s --check-prefix=NOBITS
// RUN: not cim-opt %s --cim-assign-bitwidths="policy=%S/Inputs/policy-unknown-key.json" 2>&1 | FileCheck %s --check-prefix=KEY
// RUN: not cim-opt %s --cim-assign-bitwidths="policy=%S/Inputs/policy-malformed.json" 2>&1 | FileCheck %s --check-prefix=JSON
// RUN: not cim-opt %s --cim-assign-bitwidths="policy=%S/Inputs/policy-twice.json" 2>&1 | FileCheck %s --check-prefix=TWICE
// RUN: not cim-opt %S/Inputs/twins.mlir --cim-assign-bitwidths="policy=%S/Inputs/policy-ambiguous.json" 2>&1 | FileCheck %s --check-prefix=AMBIGUOUS
// RUN: not cim-opt %s --cim-assign-bitwidths="policy=%S/Inputs/no-such-policy.json" 2>&1 | FileCheck %s --check-prefix=MISSING

// NAME: policy-unknown-name.json:4:5: error: layers[1]: no weight-bearing layer is named 'conv9'
// NAME-NOT: error
// INDEX: policy-index-range.json:1:13: error: layers[0]: index 4 is out of range: the module has 2 weight-bearing layers
// BITS: policy-bits-range.json:2:3: error: layers[0]: abits must be an integer in 1..16, got 17
// BOTH: policy-both.json:1:13: error: layers[0]: give a name or an index, not both
// NEITHER: policy-neither.json:1:13: error: layers[0]: needs a name or an index
// NOBITS: policy-no-bits.json:1:13: error: layers[0]: sets neither wbits nor abits
// KEY: policy-unknown-key.json:1:13: error: layers[0]: unknown key 'bits' (expected name, index, wbits, abits)
// JSON: policy-malformed.json:2:32: error: malformed JSON: Expected object key
// TWICE: policy-twice.json:1:44: error: layers[1]: layer 'conv1' (index 0) was already set by layers[0]
// AMBIGUOUS: policy-ambiguous.json:1:13: error: layers[0]: layer name 'twin' is ambiguous (indices 0, 1); use an index
// MISSING: no-such-policy.json:0:0: error: cannot read the policy file: No such file or directory
// MISSING-NOT: see current operation

func.func @net(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x4x4xf32> {
  %w1 = cim.constant dense<0.5> : tensor<4x3x3x3xf32>
  %0 = cim.conv2d %x, %w1 {name = "conv1"} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  %w2 = cim.constant dense<0.25> : tensor<4x4x3x3xf32>
  %1 = cim.conv2d %0, %w2 {name = "conv2"} : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %1 : tensor<1x4x4x4xf32>
}
