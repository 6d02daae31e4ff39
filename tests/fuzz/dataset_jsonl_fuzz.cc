// The JSONL dataset parser with a label field and, on the same bytes, with label columns.
#include "common/dataset/dataset.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace augsweep;
  DatasetOptions field;
  field.path = "fuzz.jsonl";
  field.format = DatasetFormat::kJsonl;
  field.id_field = "id";
  field.label_field = "themes";
  (void)ParseDataset(fuzz::AsText(data, size), field);
  DatasetOptions columns = field;
  columns.label_field.clear();
  columns.label_columns = {"a", "b"};
  columns.themes = {"a", "b"};
  (void)ParseDataset(fuzz::AsText(data, size), columns);
  return 0;
}
