// make_dict.cpp — writes the libFuzzer dictionary: every literal of the rule table
// (src/core/rules.hpp), so that the dictionary follows the table as rows are added, then the
// hand-written tokens of dict/extra.dict (layout prefixes, JSON keys, envelopes).
//   airlog_fuzz_make_dict OUT.dict dict/extra.dict
#include <cstdio>
#include <fstream>
#include <iostream>

#include "core/rules.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: airlog_fuzz_make_dict OUT.dict EXTRA.dict\n";
    return 2;
  }
  std::ofstream out(argv[1]);
  std::ifstream extra(argv[2]);
  if (!out || !extra) {
    std::cerr << "airlog_fuzz_make_dict: cannot open " << (out ? argv[2] : argv[1]) << "\n";
    return 1;
  }
  out << "# The rule table's literals (src/core/rules.hpp).\n";
  for (const airlog::detail::Rule& r : airlog::detail::kRules) {
    out << "\"";
    for (unsigned char c : r.literal) {
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f) {
        char hex[5];
        std::snprintf(hex, sizeof hex, "\\x%02x", c);
        out << hex;
      } else {
        out << c;
      }
    }
    out << "\"\n";
  }
  out << extra.rdbuf();
  return out ? 0 : 1;
}
