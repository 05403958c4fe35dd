#include "lookalike/tfjs_graph/graph_model.hpp"

#include <optional>
#include <stdexcept>

#include "graph_ir.hpp"
#include "lookalike/engine/tfjs_weights.hpp"
#include "lookalike/errors.hpp"
#include "onednn_net.hpp"
#include "opencv_net.hpp"

namespace lookalike::tfjs_graph {

struct GraphModel::Impl {
  std::vector<int> input_shape;
  std::vector<std::string> output_names;
  std::vector<std::vector<int>> output_shapes;
  GraphSummary summary;
  // Exactly one of the two runs the graph.
  std::optional<OpencvNet> opencv;
  std::optional<OnednnNet> onednn;
  cv::Mat input;
  std::vector<cv::Mat> outputs;

  std::vector<Tensor> run_opencv(const Tensor& in) {
    input.create(static_cast<int>(input_shape.size()), input_shape.data(), CV_32F);
    std::copy(in.values.begin(), in.values.end(), input.ptr<float>());
    opencv->net.setInput(input);
    opencv->net.forward(outputs, opencv->output_layers);
    std::vector<Tensor> out;
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const cv::Mat& blob = outputs[i];
      Tensor t{output_shapes[i], {}};
      if (blob.type() != CV_32F || blob.total() != element_count(t.shape) || !blob.isContinuous())
        throw std::logic_error("GraphModel::run: OpenCV returned an unexpected blob for " +
                               output_names[i]);
      t.values.assign(blob.ptr<float>(), blob.ptr<float>() + blob.total());
      out.push_back(std::move(t));
    }
    return out;
  }
};

GraphModel GraphModel::load(const std::filesystem::path& model_json, Backend backend) {
  Graph graph = parse_graph(model_json);
  auto impl = std::make_unique<Impl>();
  impl->input_shape = graph.ops.front().shape;
  impl->output_names = graph.output_names;
  for (int op : graph.outputs) impl->output_shapes.push_back(graph.ops[op].shape);
  impl->summary = graph.summary;
  GraphModel model(std::move(impl));
  Impl& m = *model.impl_;
  try {
    if (backend == Backend::kOnednn) {
      m.onednn.emplace(graph);
      m.summary.layers = m.onednn->primitives();
    } else {
      m.opencv = build_opencv_net(graph);
      m.summary.layers = m.opencv->layers;
    }
    // OpenCV creates its layers on the first forward: run one now, so whatever a backend
    // refuses is refused by load(), never by run().
    model.run(Tensor{m.input_shape, std::vector<float>(element_count(m.input_shape))});
  } catch (const std::exception& e) {
    throw ModelError(model_json.string() + ": " +
                     (backend == Backend::kOnednn ? "oneDNN" : "OpenCV dnn") +
                     " cannot run this graph: " + e.what());
  }
  return model;
}

GraphModel::GraphModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GraphModel::GraphModel(GraphModel&&) noexcept = default;
GraphModel& GraphModel::operator=(GraphModel&&) noexcept = default;
GraphModel::~GraphModel() = default;

const std::vector<int>& GraphModel::input_shape() const {
  return impl_->input_shape;
}
const std::vector<std::string>& GraphModel::output_names() const {
  return impl_->output_names;
}
const GraphSummary& GraphModel::summary() const {
  return impl_->summary;
}

std::vector<Tensor> GraphModel::run(const Tensor& input) {
  if (input.shape != impl_->input_shape || input.values.size() != element_count(impl_->input_shape))
    throw std::invalid_argument("GraphModel::run: the input does not have the model's shape");
  return impl_->onednn ? impl_->onednn->run(input) : impl_->run_opencv(input);
}

}  // namespace lookalike::tfjs_graph
