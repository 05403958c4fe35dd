// The operator window's model: its message log stays bounded over a long event.
#include <gtest/gtest.h>

#include <string>

#include "lookalike/ui/view_models/operator.hpp"

namespace lookalike::ui {
namespace {

TEST(OperatorLog, KeepsTheNewestMessagesUpToItsBound) {
  OperatorLog log;
  EXPECT_TRUE(log.empty());
  const std::size_t added = kOperatorLogSize + 25;
  for (std::size_t i = 0; i < added; ++i)
    log.add({"10:00:00", "camera lost " + std::to_string(i), i % 2 == 0});
  const auto messages = log.list();
  ASSERT_EQ(messages.size(), kOperatorLogSize);
  // Oldest first; the first 25 went.
  EXPECT_EQ(messages.front().text, "camera lost " + std::to_string(added - kOperatorLogSize));
  EXPECT_EQ(messages.back().text, "camera lost " + std::to_string(added - 1));
  EXPECT_EQ(messages.back().error, (added - 1) % 2 == 0);
}

}  // namespace
}  // namespace lookalike::ui
