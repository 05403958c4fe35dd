#include "graph_def_json.hpp"

#include <openssl/evp.h>

#include <charconv>

#include "lookalike/errors.hpp"

namespace lookalike::tfjs_graph {

[[noreturn]] void fail_node(const nlohmann::json& node, const std::string& what) {
  throw ModelError("node " + node.value("name", std::string("?")) + " (" +
                   node.value("op", std::string("?")) + "): " + what);
}

std::string decode_base64(const std::string& text) {
  if (text.size() % 4 != 0) throw ModelError("attribute \"" + text + "\" is not base64");
  std::string out(text.size() / 4 * 3, '\0');
  // OpenSSL's decoder; it keeps the zero bytes that '=' padding stands for.
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) throw ModelError("attribute \"" + text + "\" is not base64");
  std::size_t padding = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '=' && padding < 2; ++it) ++padding;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

const nlohmann::json* attr(const nlohmann::json& node, const char* key) {
  if (!node.contains("attr") || !node["attr"].is_object() || !node["attr"].contains(key))
    return nullptr;
  return &node["attr"][key];
}

std::string attr_string(const nlohmann::json& node, const char* key, const std::string& fallback) {
  const nlohmann::json* a = attr(node, key);
  if (!a) return fallback;
  if (!a->contains("s") || !(*a)["s"].is_string())
    fail_node(node, std::string("attribute ") + key + " is not a string");
  return decode_base64((*a)["s"].get<std::string>());
}

long long parse_int(const nlohmann::json& node, const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<long long>();
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    long long v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size()) return v;
  }
  fail_node(node, "integer attribute " + value.dump() + " is not an integer");
}

std::vector<long long> attr_ints(const nlohmann::json& node, const char* key) {
  const nlohmann::json* a = attr(node, key);
  if (!a) return {};
  if (!a->contains("list")) fail_node(node, std::string("attribute ") + key + " is not a list");
  std::vector<long long> out;
  const nlohmann::json& list = (*a)["list"];
  if (list.contains("i"))
    for (const auto& v : list["i"]) out.push_back(parse_int(node, v));
  return out;
}

std::vector<std::string> attr_strings(const nlohmann::json& node, const char* key) {
  const nlohmann::json* a = attr(node, key);
  std::vector<std::string> out;
  if (a && a->contains("list") && (*a)["list"].contains("s"))
    for (const auto& v : (*a)["list"]["s"]) out.push_back(decode_base64(v.get<std::string>()));
  return out;
}

std::string shape_text(const std::vector<int>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::string input_node(const nlohmann::json& node, const std::string& input) {
  if (input.starts_with('^')) fail_node(node, "control input " + input + " is not supported");
  const auto colon = input.rfind(':');
  if (colon == std::string::npos) return input;
  if (input.substr(colon + 1) != "0")
    fail_node(node, "input " + input + " (an op's second output) is not supported");
  return input.substr(0, colon);
}

}  // namespace lookalike::tfjs_graph
