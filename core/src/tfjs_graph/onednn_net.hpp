// Graph -> oneDNN primitives (f32, CPU), the second way to run an imported graph; measured
// against OpenCV dnn by lookalike-bench-tfjs-graph. Private to core/src/tfjs_graph.
//
// Contract: every activation stays in TensorFlow's NHWC order (oneDNN's nhwc tag), so the input
// is read in place and a Reshape is a view of its input's buffer. Convolutions (grouped for
// depthwise, TensorFlow's unequal SAME pads as they are) carry bias and ReLU; a residual Add
// whose shortcut buffer is free is done by the convolution in place (sum post-op, then ReLU),
// others by a binary add (ReLU fused); Pad is a reorder into the inside of a zeroed buffer,
// StridedSlice a reorder out of a box of its input; MatMul is oneDNN's matmul, element-wise ops
// its binary (a constant operand broadcast from one element) and eltwise primitives. All
// primitives and buffers are made at construction (throws ModelError / dnnl::error there), run()
// only executes them. Threads: oneDNN's OpenMP pool (omp_set_num_threads); not thread-safe.
#pragma once

#include <memory>
#include <vector>

#include "graph_ir.hpp"

namespace lookalike::tfjs_graph {

class OnednnNet {
 public:
  explicit OnednnNet(const Graph& graph);
  OnednnNet(OnednnNet&&) noexcept;
  OnednnNet& operator=(OnednnNet&&) noexcept;
  ~OnednnNet();

  // `input` has the graph's input shape (checked by the caller).
  std::vector<Tensor> run(const Tensor& input);
  int primitives() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lookalike::tfjs_graph
