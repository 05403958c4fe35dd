// The message of the FetchError a call throws, for the fetch tests.
#pragma once

#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "lookalike/fetch/download.hpp"

namespace lookalike::test {

// The message of the FetchError `f` throws; fails the test when it throws nothing.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const fetch::FetchError& e) {
    std::cerr << "  FetchError: " << e.what() << "\n";  // the message users would read
    return e.what();
  }
  ADD_FAILURE() << "no FetchError";
  return {};
}

}  // namespace lookalike::test
