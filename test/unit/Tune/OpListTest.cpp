//===- OpListTest.cpp - Every graph op trains or says why -----------------===//
//
// The graph ops of lib/Reference/GraphOps.def are the ones the reference
// executor runs. Each must have a trainable kernel in cim-tune's network or
// a recorded reason why it cannot train, and the list must name every op
// the cim dialect registers: a new op fails here until both executors have
// been considered for it.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMDialect.h"
#include "cim/Tune/Network.h"

#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

using namespace mlir;
using namespace mlir::cim;

namespace {
const std::set<std::string> &graphOps() {
  static const std::set<std::string> ops = {
#define CIM_GRAPH_OP(Class, Mnemonic, OnnxOp) Mnemonic,
#include "cim/Reference/GraphOps.def"
  };
  return ops;
}
} // namespace

TEST(TuneOpList, EveryGraphOpTrainsOrSaysWhy) {
  for (const std::string &op : graphOps()) {
    tune::OpSupport support = tune::getOpSupport(op);
    EXPECT_TRUE(support.trainable || support.reason)
        << "cim." << op
        << " has a reference kernel but neither a trainable kernel in "
           "lib/Tune/TrainKernels.cpp nor a reason why it cannot train";
  }
}

TEST(TuneOpList, ListNamesEveryRegisteredOp) {
  MLIRContext context;
  context.getOrLoadDialect<CIMDialect>();
  size_t seen = 0;
  for (RegisteredOperationName name : context.getRegisteredOperations()) {
    if (name.getDialectNamespace() != "cim")
      continue;
    ++seen;
    std::string mnemonic = name.stripDialect().str();
    if (mnemonic == "constant")
      continue;
    EXPECT_TRUE(graphOps().count(mnemonic))
        << "cim." << mnemonic << " is missing from GraphOps.def";
  }
  EXPECT_GT(seen, 50u);
}

TEST(TuneOpList, UnknownOpsDoNotTrain) {
  tune::OpSupport support = tune::getOpSupport("no_such_op");
  EXPECT_FALSE(support.trainable);
  EXPECT_EQ(support.reason, nullptr);
}
