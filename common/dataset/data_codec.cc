#include "common/dataset/data_codec.h"

namespace augsweep {

v1::DatasetData DatasetToProto(const Dataset& dataset, const std::string& fingerprint) {
  v1::DatasetData out;
  for (const auto& t : dataset.themes) out.add_themes(t);
  for (const Example& e : dataset.examples) {
    v1::LabelledExample* x = out.add_examples();
    x->set_id(e.id);
    x->set_text(e.text);
    for (int l : e.labels) x->add_labels(l);
  }
  out.set_fingerprint(fingerprint);
  return out;
}

StatusOr<Dataset> DatasetFromProto(const v1::DatasetData& data) {
  Dataset out;
  out.themes.assign(data.themes().begin(), data.themes().end());
  const int num_themes = static_cast<int>(out.themes.size());
  for (int i = 0; i < data.examples_size(); ++i) {
    const v1::LabelledExample& x = data.examples(i);
    Example e{x.id(), x.text(), {x.labels().begin(), x.labels().end()}, i + 1};
    for (int l : e.labels) {
      if (l < 0 || l >= num_themes) {
        return DataLossError("dataset artifact: example " + x.id() + " has label index " +
                             std::to_string(l) + " outside 0.." + std::to_string(num_themes - 1));
      }
    }
    out.examples.push_back(std::move(e));
  }
  return out;
}

v1::FoldAssignments SplitsToProto(const std::vector<FoldSplit>& splits) {
  v1::FoldAssignments out;
  for (const FoldSplit& s : splits) {
    v1::FoldSplitData* d = out.add_splits();
    d->set_repeat(s.repeat);
    d->set_num_folds(s.num_folds);
    for (int f : s.fold_of_example) d->add_fold_of_example(f);
  }
  return out;
}

StatusOr<std::vector<FoldSplit>> SplitsFromProto(const v1::FoldAssignments& folds,
                                                 size_t num_examples) {
  std::vector<FoldSplit> out;
  for (const v1::FoldSplitData& d : folds.splits()) {
    if (static_cast<size_t>(d.fold_of_example_size()) != num_examples) {
      return DataLossError("folds artifact: repeat " + std::to_string(d.repeat()) + " assigns " +
                           std::to_string(d.fold_of_example_size()) +
                           " examples, the dataset has " + std::to_string(num_examples));
    }
    FoldSplit s{
        d.repeat(), d.num_folds(), {d.fold_of_example().begin(), d.fold_of_example().end()}};
    for (int f : s.fold_of_example) {
      if (f < 0 || f >= s.num_folds) {
        return DataLossError("folds artifact: fold " + std::to_string(f) + " outside 0.." +
                             std::to_string(s.num_folds - 1));
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace augsweep
