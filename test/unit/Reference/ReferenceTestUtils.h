//===- ReferenceTestUtils.h - Fixture for reference executor tests -*- C++
//-*-===//
//
// Parses a module with a `func.func @main`, runs it on host tensors and
// collects the diagnostics, so that each test is IR text plus expectations.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TEST_UNIT_REFERENCE_REFERENCETESTUTILS_H
#define CIM_TEST_UNIT_REFERENCE_REFERENCETESTUTILS_H

#include "cim/Dialect/CIM/CIMDialect.h"
#include "cim/Reference/Executor.h"
#include "cim/Tensor/HostTensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "gtest/gtest.h"

#include <cmath>
#include <string>

namespace mlir {
namespace cim {
namespace testing {

class ReferenceTest : public ::testing::Test {
protected:
  ReferenceTest()
      : handler(&context, [this](Diagnostic &diag) {
          if (!errors.empty())
            errors += "\n";
          errors += diag.str();
          return success();
        }) {
    context.loadDialect<CIMDialect, func::FuncDialect>();
  }

  /// Parses `source` (verified unless `verify` is false) and returns its
  /// @main, or a null op after a test failure.
  func::FuncOp parse(llvm::StringRef source, bool verify = true) {
    ParserConfig config(&context, verify);
    module = parseSourceString<ModuleOp>(source, config);
    if (!module) {
      ADD_FAILURE() << "cannot parse:\n" << errors;
      return {};
    }
    auto func = module->lookupSymbol<func::FuncOp>("main");
    if (!func)
      ADD_FAILURE() << "no @main";
    return func;
  }

  /// Parses and runs @main; failure when either fails.
  FailureOr<llvm::SmallVector<HostTensor>>
  run(llvm::StringRef source, llvm::ArrayRef<HostTensor> inputs,
      bool verify = true) {
    func::FuncOp func = parse(source, verify);
    if (!func)
      return failure();
    return runReference(func, inputs);
  }

  /// Runs @main, expecting success and exactly one result.
  HostTensor runOne(llvm::StringRef source, llvm::ArrayRef<HostTensor> inputs,
                    bool verify = true) {
    auto results = run(source, inputs, verify);
    if (failed(results)) {
      ADD_FAILURE() << "run failed: " << errors;
      return {};
    }
    if (results->size() != 1) {
      ADD_FAILURE() << "expected one result, got " << results->size();
      return {};
    }
    return std::move((*results)[0]);
  }

  MLIRContext context;
  /// Every diagnostic of the test, one per line.
  std::string errors;
  ScopedDiagnosticHandler handler;
  OwningOpRef<ModuleOp> module;
};

inline HostTensor floats(llvm::ArrayRef<int64_t> shape,
                         llvm::ArrayRef<float> values) {
  return HostTensor::fromFloats(shape, values);
}

/// 0, 1, 2, ... in the given shape (f32).
inline HostTensor iota(llvm::ArrayRef<int64_t> shape, float start = 0,
                       float step = 1) {
  HostTensor tensor(ElementKind::F32, shape);
  for (auto [i, v] : llvm::enumerate(tensor.data<float>()))
    v = start + step * float(i);
  return tensor;
}

/// Checks kind, shape and values (absolute tolerance `tol`; NaN matches NaN).
inline ::testing::AssertionResult matches(const HostTensor &actual,
                                          llvm::ArrayRef<int64_t> shape,
                                          llvm::ArrayRef<double> expected,
                                          double tol = 1e-5) {
  if (actual.getShape() != shape)
    return ::testing::AssertionFailure()
           << "shape " << actual.getShapeString() << " instead of "
           << HostTensor(ElementKind::I8, shape).getShapeString();
  if (actual.getNumElements() != int64_t(expected.size()))
    return ::testing::AssertionFailure()
           << actual.getNumElements() << " elements, expected "
           << expected.size();
  for (size_t i = 0; i < expected.size(); ++i) {
    double v = actual.getAsDouble(i);
    bool ok = std::isnan(expected[i]) ? std::isnan(v)
                                      : std::fabs(v - expected[i]) <= tol;
    if (!ok)
      return ::testing::AssertionFailure()
             << "element " << i << " is " << v << ", expected " << expected[i];
  }
  return ::testing::AssertionSuccess();
}

} // namespace testing
} // namespace cim
} // namespace mlir

#endif // CIM_TEST_UNIT_REFERENCE_REFERENCETESTUTILS_H
