// Reading TF.js's JSON form of a TensorFlow GraphDef node: its attributes (strings are base64,
// integers strings of digits), its inputs' node names, and errors that name the node. Private to
// core/src/tfjs_graph.
//
// Contract: every function throws ModelError("node NAME (OP): ...") for a value it cannot read;
// the caller prefixes the file. A missing attribute is not an error (nullptr, fallback or an
// empty list).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lookalike::tfjs_graph {

[[noreturn]] void fail_node(const nlohmann::json& node, const std::string& what);

// Standard base64 (OpenSSL's decoder); throws ModelError naming the text when it is not.
std::string decode_base64(const std::string& text);

const nlohmann::json* attr(const nlohmann::json& node, const char* key);
std::string attr_string(const nlohmann::json& node, const char* key, const std::string& fallback);
// An integer as GraphDef's JSON writes it: a string of digits (int64), or a number.
long long parse_int(const nlohmann::json& node, const nlohmann::json& value);
std::vector<long long> attr_ints(const nlohmann::json& node, const char* key);
std::vector<std::string> attr_strings(const nlohmann::json& node, const char* key);

// "[1,128,128,3]"
std::string shape_text(const std::vector<int>& shape);

// The node an input names: "name", "name:0"; other outputs and control inputs are refused.
std::string input_node(const nlohmann::json& node, const std::string& input);

}  // namespace lookalike::tfjs_graph
