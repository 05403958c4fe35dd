// Graph -> cv::dnn::Net, built layer by layer (Net::addLayer/connect with LayerParams and blobs;
// no model file, no OpenCV importer). Private to core/src/tfjs_graph.
//
// Contract: the net's input is the NHWC blob; a Permute turns it into OpenCV's NCHW. 4-D ops run
// in NCHW; a Reshape first permutes back to NHWC so it regroups elements in TensorFlow's order,
// and what follows it stays in TensorFlow's layout. Each output layer yields its tensor in
// TensorFlow's layout (4-D NCHW results are permuted back). Throws ModelError for an op it
// cannot place: an add of two layouts, and SSR-Net's MatMul, scalar and slice ops (oneDNN runs
// those); backend OPENCV, target CPU.
#pragma once

#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

#include "graph_ir.hpp"

namespace lookalike::tfjs_graph {

struct OpencvNet {
  cv::dnn::Net net;
  std::vector<std::string> output_layers;  // one per Graph::outputs
  int layers = 0;
};

OpencvNet build_opencv_net(const Graph& graph);

}  // namespace lookalike::tfjs_graph
