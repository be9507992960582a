// cim-schedule on the tiny chip (Inputs/tiny.yaml: 100 ns per crossbar step,
// 1-bit DACs, 1000 ns per crossbar write, digital work and data movement
// free, 1000 MHz so that a cycle is a nanosecond). c1 (1x1, 36 pixels) runs
// 4 input steps per pixel: 400 cycles a pixel, 14 400 in all, in sets of 4
// pixels. c2 (3x3 over c1's 6x6 output, 4 output rows of 4 pixels) needs 18
// rows: two row tiles side by side, 400 cycles a pixel.
// RUN: cim-opt %s --cim-map-crossbars="hw=%S/Inputs/tiny.yaml duplicate=false" --cim-schedule="hw=%S/Inputs/tiny.yaml" | FileCheck %s --check-prefix=CROSS
// RUN: cim-opt %s --cim-map-crossbars="hw=%S/Inputs/tiny.yaml duplicate=false" --cim-schedule="hw=%S/Inputs/tiny.yaml schedule=layer" | FileCheck %s --check-prefix=LAYER
// RUN: sed -e 's/weight_rewrite: never/weight_rewrite: always/' %S/Inputs/tiny.yaml > %t.rewrite.yaml
// RUN: cim-opt %s --cim-map-crossbars="hw=%t.rewrite.yaml" --cim-schedule="hw=%t.rewrite.yaml" | FileCheck %s --check-prefix=REWRITE
// RUN: not cim-opt %s --cim-schedule="hw=%S/Inputs/tiny.yaml" 2>&1 | FileCheck %s --check-prefix=UNMAPPED
// RUN: not cim-opt %s --cim-map-crossbars="hw=%S/Inputs/tiny.yaml" --cim-schedule="hw=%S/Inputs/tiny.yaml schedule=diagonal" 2>&1 | FileCheck %s --check-prefix=MODE
// RUN: not cim-opt %s --cim-map-crossbars="hw=%S/Inputs/tiny.yaml" --cim-schedule="hw=cimaq-reference" 2>&1 | FileCheck %s --check-prefix=CHIP

// Cross-layer: the ReLU follows c1's first set (4 pixels, 1 600 cycles).
// c2's output row r waits for input rows r..r+2: row 0 for c1's pixel 17
// (its fifth set, at 8 000), row 3 for the last (14 400); it ends at
// 14 400 + 1 600. Nothing can be faster: the bound is the critical path.
// CROSS:      module attributes {cim.hardware = "tiny", cim.latency_cycles = 16000 : i64, cim.lower_bound_cycles = 16000 : i64, cim.schedule_kind = #cim.schedule_kind<cross_layer>}
// CROSS:      cim.conv2d {{.*}}cim.schedule = #cim.schedule<order = 0, start = 0, end = 14400, sets = 9>
// CROSS:      cim.relu {{.*}}cim.schedule = #cim.schedule<order = 1, start = 1600, end = 14400, sets = 9>
// CROSS:      cim.conv2d {{.*}}cim.schedule = #cim.schedule<order = 2, start = 8000, end = 16000, sets = 4>

// Layer by layer: c2 starts when c1 and the ReLU are done, and runs its 16
// pixels back to back (6 400 cycles).
// LAYER:      cim.latency_cycles = 20800 : i64, cim.lower_bound_cycles = 16000 : i64, cim.schedule_kind = #cim.schedule_kind<layer>
// LAYER:      cim.schedule = #cim.schedule<order = 0, start = 0, end = 14400, sets = 9>
// LAYER:      cim.schedule = #cim.schedule<order = 1, start = 14400, end = 14400, sets = 9>
// LAYER:      cim.schedule = #cim.schedule<order = 2, start = 14400, end = 20800, sets = 4>

// Rewriting: each layer is written (1 000 cycles) and then runs alone.
// REWRITE:    cim.latency_cycles = 22800 : i64
// REWRITE:    cim.schedule = #cim.schedule<order = 0, start = 0, end = 15400>
// REWRITE:    cim.schedule = #cim.schedule<order = 2, start = 15400, end = 22800>

// UNMAPPED:   error: layer 'c1' has no crossbar mapping; run cim-map-crossbars first
// MODE:       error: cim-schedule: unknown schedule 'diagonal' (expected layer or cross-layer)
// CHIP:       error: layer was mapped for 16x16 crossbars, the chip 'cimaq-reference' has 256x256

func.func @net(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x4x4xf32> {
  %w = cim.constant dense<0.5> : tensor<2x2x1x1xf32>
  %y = cim.conv2d %x, %w {name = "c1", quant = #cim.quant<wbits = 2, abits = 4>} : (tensor<1x2x6x6xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x6x6xf32>
  %r = cim.relu %y : tensor<1x2x6x6xf32>
  %w2 = cim.constant dense<0.25> : tensor<2x2x3x3xf32>
  %z = cim.conv2d %r, %w2 {name = "c2", quant = #cim.quant<wbits = 2, abits = 4>} : (tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  return %z : tensor<1x2x4x4xf32>
}
