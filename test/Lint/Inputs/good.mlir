// RUN: cim-opt %s | FileCheck %s --check-prefixes=A,B
// RUN: cim-opt %s -verify-diagnostics
// A-LABEL: func.func @f
// B-COUNT-2: cim.relu
// expected-error @+1 {{fine}}
