//===- OnnxWriter.cpp - Plain-data ONNX models to files -------------------===//

#include "cim/Importer/OnnxWriter.h"
#include "cim/Support/OutputFiles.h"

#include "ProtoUtils.h"

using namespace mlir;
using namespace mlir::cim;

OnnxAttribute OnnxAttribute::getInt(std::string name, int64_t value) {
  return {std::move(name), Kind::Int, value};
}

OnnxAttribute OnnxAttribute::getFloat(std::string name, float value) {
  return {std::move(name), Kind::Float, /*intValue=*/0, value};
}

OnnxAttribute OnnxAttribute::getInts(std::string name,
                                     std::vector<int64_t> values) {
  return {std::move(name), Kind::Ints, /*intValue=*/0, /*floatValue=*/0.0f,
          std::move(values)};
}

OnnxAttribute OnnxAttribute::getString(std::string name, std::string value) {
  OnnxAttribute attr;
  attr.name = std::move(name);
  attr.kind = Kind::String;
  attr.text = std::move(value);
  return attr;
}

static void fillValueInfo(onnx::ValueInfoProto &info,
                          const OnnxValueSpec &spec) {
  info.set_name(spec.name);
  onnx::TypeProto_Tensor *type = info.mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::FLOAT);
  onnx::TensorShapeProto *shape = type->mutable_shape();
  for (int64_t d : spec.shape) {
    onnx::TensorShapeProto_Dimension *dim = shape->add_dim();
    if (d < 0)
      dim->set_dim_param("N");
    else
      dim->set_dim_value(d);
  }
}

LogicalResult cim::writeOnnxModel(const OnnxModelSpec &model,
                                  const std::string &path, std::string &error) {
  onnx::ModelProto proto;
  // IR version 10 (ONNX 1.16) brings INT4 / UINT4 with opset 21.
  proto.set_ir_version(model.opset >= 21 ? 10 : 7);
  proto.set_producer_name(model.producer);
  onnx::OperatorSetIdProto *opset = proto.add_opset_import();
  opset->set_domain("");
  opset->set_version(model.opset);
  onnx::GraphProto *graph = proto.mutable_graph();
  graph->set_name(model.graphName);
  for (const OnnxValueSpec &input : model.inputs)
    fillValueInfo(*graph->add_input(), input);
  for (const OnnxValueSpec &output : model.outputs)
    fillValueInfo(*graph->add_output(), output);
  for (const OnnxInitializerSpec &init : model.initializers)
    detail::fillTensorProto(*graph->add_initializer(), init.tensor, init.name);
  for (const OnnxNodeSpec &spec : model.nodes) {
    onnx::NodeProto *node = graph->add_node();
    node->set_op_type(spec.opType);
    node->set_name(spec.name);
    for (const std::string &in : spec.inputs)
      node->add_input(in);
    for (const std::string &out : spec.outputs)
      node->add_output(out);
    for (const OnnxAttribute &attr : spec.attributes) {
      onnx::AttributeProto *a = node->add_attribute();
      a->set_name(attr.name);
      switch (attr.kind) {
      case OnnxAttribute::Kind::Int:
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(attr.intValue);
        break;
      case OnnxAttribute::Kind::Float:
        a->set_type(onnx::AttributeProto::FLOAT);
        a->set_f(attr.floatValue);
        break;
      case OnnxAttribute::Kind::Ints:
        a->set_type(onnx::AttributeProto::INTS);
        for (int64_t v : attr.ints)
          a->add_ints(v);
        break;
      case OnnxAttribute::Kind::String:
        a->set_type(onnx::AttributeProto::STRING);
        a->set_s(attr.text);
        break;
      }
    }
  }
  std::string data;
  if (!proto.SerializeToString(&data)) {
    error = "cannot serialize the model";
    return failure();
  }
  return success(writeFileAtomically(path, data, error));
}
