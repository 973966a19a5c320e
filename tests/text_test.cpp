// common/text.cpp: byte utilities the readers share.
#include "common/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace airlog::testing {
namespace {

// is_ascii reads whole words and an overlapping last one: a non-ASCII byte is seen at every
// position of every length, and ASCII text of any length passes.
TEST(Text, IsAsciiSeesAHighByteAnywhere) {
  for (size_t n = 0; n <= 70; ++n) {
    std::string s(n, 'a');
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(0x20 + (i * 7) % 95);
    EXPECT_TRUE(detail::is_ascii(s)) << n;
    for (size_t at = 0; at < n; ++at) {
      std::string t = s;
      t[at] = static_cast<char>(0x80 | at);
      EXPECT_FALSE(detail::is_ascii(t)) << n << " " << at;
    }
  }
  EXPECT_TRUE(detail::is_ascii(std::string("\x7f\x00\x01", 3)));
}

}  // namespace
}  // namespace airlog::testing
