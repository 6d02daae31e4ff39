// Field encodings the CLI's listings share: one terminal line, a round-trip number, a CSV field.
#pragma once

#include <string>

namespace augsweep::cli {

// Control characters (a newline in a name or a text) as spaces: a line-based listing stays one
// line per row.
std::string OneLine(std::string s);

// The shortest text that parses back to exactly `v` ("0.87", "1", "2e-05"); "" when not finite.
std::string RoundTrip(double v);

// `v` printed with one printf conversion ("%.3f", "%+.1f"); "n/a" when not a number.
std::string FormatNumber(double v, const char* format);

// RFC 4180: quoted (quotes doubled) when it holds a comma, quote, CR or LF; else as is.
std::string CsvField(const std::string& field);

}  // namespace augsweep::cli
