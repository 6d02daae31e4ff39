#include "common/encoder_family.h"

#include <string>
#include <utility>

namespace augsweep {
namespace {

constexpr std::pair<const char*, EncoderFamily> kFamilies[] = {
    {"bert", EncoderFamily::kBert},
    {"roberta", EncoderFamily::kRoberta},
    {"distilbert", EncoderFamily::kDistilBert},
    {"xlnet", EncoderFamily::kXlnet},
};

}  // namespace

const char* EncoderFamilyName(EncoderFamily family) {
  for (const auto& [name, f] : kFamilies) {
    if (f == family) return name;
  }
  return "?";
}

StatusOr<EncoderFamily> ParseEncoderFamily(std::string_view name) {
  for (const auto& [known, family] : kFamilies) {
    if (name == known) return family;
  }
  return InvalidArgumentError("unknown classifier family \"" + std::string(name) +
                              "\"; expected bert, distilbert, roberta or xlnet");
}

}  // namespace augsweep
