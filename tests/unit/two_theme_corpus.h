// A small staff-survey corpus whose two themes use different words, shared by the tests of the
// label-consistency check: theme 0 (staffing) speaks of rotas, shifts and nurses, theme 1 (pay)
// of salaries and wages, so a tf-idf classifier trained on it tells them apart.
#pragma once

#include <vector>

#include "worker/executors/executor.h"

namespace augsweep {

inline std::vector<LabelledText> TwoThemeCorpus() {
  const char* staffing[] = {"the rota leaves the night shift short of nurses",
                            "not enough nurses on the late shift",
                            "the rota changes and shifts are short staffed",
                            "nurses cover extra shifts because the rota is short",
                            "night shift nurses are stretched by the rota",
                            "short staffed shifts every week on the rota"};
  const char* pay[] = {
      "the salary has not kept up with prices", "wages are too low for the work",
      "overtime pay and salary are late again", "a pay rise would keep wages fair",
      "the salary band and wages are unfair",   "pay and wages fall behind other trusts"};
  std::vector<LabelledText> out;
  for (const char* t : staffing) out.push_back({t, {0}});
  for (const char* t : pay) out.push_back({t, {1}});
  return out;
}

}  // namespace augsweep
