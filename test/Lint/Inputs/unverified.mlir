// RUN: cim-opt %s
// expected-error @+1 {{never checked}}
