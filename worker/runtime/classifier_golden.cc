// The "hf-sequence-classification" golden schema (tests/fixtures/hf-tiny/{bert,roberta,
// distilbert,xlnet}): logits, BCE loss and hidden states of each batch, then one eval-mode
// training step: loss, gradient norms and the head's gradients after backward, and the logits
// and head parameters after one AdamW step.
#include "worker/runtime/classifier_golden.h"

#include <cmath>
#include <map>

#include "worker/runtime/golden_json.h"

namespace augsweep {
namespace {

using namespace golden_json;  // NOLINT: the reading helpers are this file's vocabulary

using Floats2D = std::vector<std::vector<float>>;

StatusOr<std::vector<float>> Floats(const json& j, const std::string& path) {
  if (!j.is_array()) return Bad(path, "expected an array of numbers");
  std::vector<float> out;
  for (size_t i = 0; i < j.size(); ++i) {
    AUGSWEEP_ASSIGN_OR_RETURN(double v, Number(j[i], path + "[" + std::to_string(i) + "]"));
    out.push_back(static_cast<float>(v));
  }
  return out;
}

StatusOr<Floats2D> Floats2(const json& j, const std::string& path, size_t rows, size_t cols) {
  if (!j.is_array() || j.size() != rows) {
    return Bad(path, "expected " + std::to_string(rows) + " rows");
  }
  Floats2D out;
  for (size_t r = 0; r < rows; ++r) {
    const std::string row_path = path + "[" + std::to_string(r) + "]";
    AUGSWEEP_ASSIGN_OR_RETURN(std::vector<float> row, Floats(j[r], row_path));
    if (row.size() != cols) {
      return Bad(row_path, "expected " + std::to_string(cols) + " numbers (the model's labels)");
    }
    out.push_back(std::move(row));
  }
  return out;
}

// Any nesting of arrays of numbers, flattened row-major (a stored tensor).
Status Flatten(const json& j, const std::string& path, std::vector<float>* out) {
  if (j.is_number()) {
    out->push_back(static_cast<float>(j.get<double>()));
    return OkStatus();
  }
  if (!j.is_array()) return Bad(path, "expected a (nested) array of numbers");
  for (size_t i = 0; i < j.size(); ++i) {
    AUGSWEEP_RETURN_IF_ERROR(Flatten(j[i], path + "[" + std::to_string(i) + "]", out));
  }
  return OkStatus();
}

GoldenCheck CompareFloats(const std::string& name, const std::vector<float>& ours,
                          const std::vector<float>& reference, double tolerance) {
  DiffTracker tracker;
  for (size_t i = 0; i < reference.size(); ++i) {
    tracker.Add(i < ours.size() ? ours[i] : std::nan(""), reference[i],
                [&] { return "[" + std::to_string(i) + "]"; });
  }
  GoldenCheck c = tracker.Check(name, tolerance);
  if (ours.size() != reference.size()) {
    c.passed = false;
    c.detail += " (ours has " + std::to_string(ours.size()) + " values, reference " +
                std::to_string(reference.size()) + ")";
  }
  return c;
}

GoldenCheck CompareScalar(const std::string& name, double ours, double reference,
                          double tolerance) {
  return CompareFloats(name, {static_cast<float>(ours)}, {static_cast<float>(reference)},
                       tolerance);
}

// Mean binary cross-entropy of sigmoid(logits) against 0/1 labels, computed stably in double as
// BCEWithLogitsLoss does: max(x, 0) - x*y + log(1 + exp(-|x|)).
double MeanBce(const std::vector<float>& logits, const Floats2D& labels) {
  double sum = 0;
  size_t n = 0;
  const size_t width = labels.empty() ? 0 : labels[0].size();
  for (size_t r = 0; r < labels.size(); ++r) {
    for (size_t k = 0; k < width; ++k, ++n) {
      const double x = logits[r * width + k], y = labels[r][k];
      sum += std::max(x, 0.0) - x * y + std::log1p(std::exp(-std::abs(x)));
    }
  }
  return n ? sum / n : 0;
}

struct GoldenBatch {
  std::string name;
  EncoderBatch batch;
  Floats2D labels;
};

StatusOr<GoldenBatch> ReadBatch(const json& b, const std::string& path, int num_labels) {
  GoldenBatch out;
  if (auto it = b.find("name"); it != b.end() && it->is_string()) out.name = it->get<std::string>();
  AUGSWEEP_ASSIGN_OR_RETURN(out.batch.input_ids, IntsMember(b, "input_ids", path));
  const size_t rows = out.batch.input_ids.size(), cols = out.batch.input_ids[0].size();
  AUGSWEEP_ASSIGN_OR_RETURN(out.batch.attention_mask,
                            IntsMember(b, "attention_mask", path, rows, cols));
  if (b.contains("token_type_ids")) {
    AUGSWEEP_ASSIGN_OR_RETURN(out.batch.token_type_ids,
                              IntsMember(b, "token_type_ids", path, rows, cols));
  }
  AUGSWEEP_ASSIGN_OR_RETURN(const json* labels, Member(b, "labels", path));
  AUGSWEEP_ASSIGN_OR_RETURN(out.labels, Floats2(*labels, Join(path, "labels"), rows, num_labels));
  return out;
}

Status CheckBatch(EncoderClassifier& model, const json& b, const std::string& path,
                  double tolerance, std::vector<GoldenCheck>* out) {
  const int labels = model.config().num_labels;
  AUGSWEEP_ASSIGN_OR_RETURN(GoldenBatch batch, ReadBatch(b, path, labels));
  const std::string label = "batches[" + (batch.name.empty() ? path : batch.name) + "]";
  const bool want_hidden = b.contains("hidden_states");
  std::vector<std::vector<float>> hidden;
  AUGSWEEP_ASSIGN_OR_RETURN(std::vector<float> logits,
                            model.Forward(batch.batch, want_hidden ? &hidden : nullptr));
  AUGSWEEP_ASSIGN_OR_RETURN(const json* golden_logits, Member(b, "logits", path));
  AUGSWEEP_ASSIGN_OR_RETURN(Floats2D reference, Floats2(*golden_logits, Join(path, "logits"),
                                                        batch.batch.input_ids.size(), labels));
  std::vector<float> flat;
  for (const auto& row : reference) flat.insert(flat.end(), row.begin(), row.end());
  out->push_back(CompareFloats(label + ".logits", logits, flat, tolerance));

  AUGSWEEP_ASSIGN_OR_RETURN(const json* loss, Member(b, "bce_with_logits_loss", path));
  AUGSWEEP_ASSIGN_OR_RETURN(double reference_loss,
                            Number(*loss, Join(path, "bce_with_logits_loss")));
  out->push_back(CompareScalar(label + ".bce_with_logits_loss", MeanBce(logits, batch.labels),
                               reference_loss, tolerance));

  if (want_hidden) {
    const json& states = b["hidden_states"];
    if (!states.is_array() || states.size() != hidden.size()) {
      return Bad(Join(path, "hidden_states"),
                 "expected " + std::to_string(hidden.size()) + " states (embeddings + layers)");
    }
    for (size_t i = 0; i < hidden.size(); ++i) {
      DiffTracker tracker;
      const std::string state_path = Join(path, "hidden_states") + "[" + std::to_string(i) + "]";
      AUGSWEEP_RETURN_IF_ERROR(
          CompareAtRealPositions(hidden[i], states[i], batch.batch.attention_mask,
                                 model.config().hidden_size, state_path, &tracker));
      out->push_back(tracker.Check(label + ".hidden_states[" + std::to_string(i) + "]", tolerance));
    }
  }
  return OkStatus();
}

// Compares stored tensors by parameter name ({"classifier.weight": [[...]], ...}).
Status CheckNamedTensors(
    const json& tensors, const std::string& path, const std::string& label, double tolerance,
    const std::function<StatusOr<std::vector<float>>(const std::string&)>& ours,
    std::vector<GoldenCheck>* out) {
  if (!tensors.is_object() || tensors.empty()) return Bad(path, "expected an object of tensors");
  for (auto it = tensors.begin(); it != tensors.end(); ++it) {
    std::vector<float> reference;
    AUGSWEEP_RETURN_IF_ERROR(Flatten(it.value(), Join(path, it.key()), &reference));
    StatusOr<std::vector<float>> mine = ours(it.key());
    if (!mine.ok()) return Bad(Join(path, it.key()), mine.status().message());
    out->push_back(CompareFloats(label + "." + it.key(), *mine, reference, tolerance));
  }
  return OkStatus();
}

Status CheckTrainStep(EncoderClassifier& model, const json& golden, double tolerance,
                      std::vector<GoldenCheck>* out) {
  AUGSWEEP_ASSIGN_OR_RETURN(const json* step, Member(golden, "train_step", ""));
  const json& batches = golden["batches"];
  const std::string batch_name = step->contains("batch") && (*step)["batch"].is_string()
                                     ? (*step)["batch"].get<std::string>()
                                     : "";
  const json* train_batch = &batches[0];
  for (const json& b : batches) {
    if (b.contains("name") && b["name"] == batch_name) train_batch = &b;
  }
  const int labels = model.config().num_labels;
  AUGSWEEP_ASSIGN_OR_RETURN(GoldenBatch batch, ReadBatch(*train_batch, "train_step.batch", labels));
  AUGSWEEP_ASSIGN_OR_RETURN(float loss, model.LossAndGradients(batch.batch, batch.labels));
  AUGSWEEP_ASSIGN_OR_RETURN(const json* loss_before, Member(*step, "loss_before", "train_step"));
  AUGSWEEP_ASSIGN_OR_RETURN(double reference_loss, Number(*loss_before, "train_step.loss_before"));
  out->push_back(CompareScalar("train_step.loss_before", loss, reference_loss, tolerance));

  // Gradient norms: per parameter, the head's and the total, as clip_grad_norm_ computes them.
  AUGSWEEP_ASSIGN_OR_RETURN(const auto norms, model.GradientNorms());  // by parameter name
  AUGSWEEP_ASSIGN_OR_RETURN(const json* per_param,
                            Member(*step, "per_param_grad_norm", "train_step"));
  if (!per_param->is_object()) return Bad("train_step.per_param_grad_norm", "expected an object");
  std::vector<float> ours_norms, reference_norms;
  for (auto it = per_param->begin(); it != per_param->end(); ++it) {
    AUGSWEEP_ASSIGN_OR_RETURN(double v,
                              Number(it.value(), "train_step.per_param_grad_norm." + it.key()));
    auto found = norms.find(it.key());
    ours_norms.push_back(found == norms.end() ? std::nanf("") : static_cast<float>(found->second));
    reference_norms.push_back(static_cast<float>(v));
  }
  out->push_back(
      CompareFloats("train_step.per_param_grad_norm", ours_norms, reference_norms, tolerance));
  if (auto it = step->find("params_with_grad_none"); it != step->end() && it->is_array()) {
    GoldenCheck none;
    none.name = "train_step.params_with_grad_none";
    none.exact = true;
    none.passed = true;
    for (const json& name : *it) {
      if (name.is_string() && norms.count(name.get<std::string>())) {
        none.passed = false;
        none.max_abs_diff += 1;
        none.detail = name.get<std::string>() + " has a gradient; the reference has none";
      }
    }
    if (none.passed) none.detail = std::to_string(it->size()) + " parameter(s) without gradient";
    out->push_back(none);
  }
  double head_sq = 0, total_sq = 0;
  for (const auto& [name, norm] : norms) total_sq += norm * norm;
  for (const std::string& name : model.HeadParameterNames()) {
    if (auto it = norms.find(name); it != norms.end()) head_sq += it->second * it->second;
  }
  for (const auto& [key, ours] :
       {std::pair<const char*, double>{"classifier_head_grad_norm", std::sqrt(head_sq)},
        std::pair<const char*, double>{"total_grad_norm", std::sqrt(total_sq)}}) {
    AUGSWEEP_ASSIGN_OR_RETURN(const json* v, Member(*step, key, "train_step"));
    AUGSWEEP_ASSIGN_OR_RETURN(double reference, Number(*v, std::string("train_step.") + key));
    out->push_back(CompareScalar(std::string("train_step.") + key, ours, reference, tolerance));
  }
  AUGSWEEP_ASSIGN_OR_RETURN(const json* grads,
                            Member(*step, "classifier_head_grads", "train_step"));
  AUGSWEEP_RETURN_IF_ERROR(CheckNamedTensors(
      *grads, "train_step.classifier_head_grads", "train_step.classifier_head_grads", tolerance,
      [&](const std::string& name) { return model.GradientValues(name); }, out));

  // One AdamW step as the reference took it: one parameter group, decay on every parameter.
  AdamWOptions adamw;
  adamw.learning_rate = 1e-3;
  adamw.weight_decay = 0.01;
  adamw.decay_bias_and_norm = true;
  AUGSWEEP_RETURN_IF_ERROR(model.AdamWStep(adamw));
  AUGSWEEP_ASSIGN_OR_RETURN(std::vector<float> after, model.Forward(batch.batch));
  AUGSWEEP_ASSIGN_OR_RETURN(const json* logits_after,
                            Member(*step, "logits_after_step", "train_step"));
  std::vector<float> reference_after;
  AUGSWEEP_RETURN_IF_ERROR(
      Flatten(*logits_after, "train_step.logits_after_step", &reference_after));
  out->push_back(CompareFloats("train_step.logits_after_step", after, reference_after, tolerance));
  AUGSWEEP_ASSIGN_OR_RETURN(const json* loss_after, Member(*step, "loss_after_step", "train_step"));
  AUGSWEEP_ASSIGN_OR_RETURN(double reference_loss_after,
                            Number(*loss_after, "train_step.loss_after_step"));
  out->push_back(CompareScalar("train_step.loss_after_step", MeanBce(after, batch.labels),
                               reference_loss_after, tolerance));
  if (auto it = step->find("logits_after_step_on_batch1");
      it != step->end() && batches.size() > 1) {
    AUGSWEEP_ASSIGN_OR_RETURN(GoldenBatch second, ReadBatch(batches[1], "batches[1]", labels));
    AUGSWEEP_ASSIGN_OR_RETURN(std::vector<float> after1, model.Forward(second.batch));
    std::vector<float> reference1;
    AUGSWEEP_RETURN_IF_ERROR(Flatten(*it, "train_step.logits_after_step_on_batch1", &reference1));
    out->push_back(
        CompareFloats("train_step.logits_after_step_on_batch1", after1, reference1, tolerance));
  }
  AUGSWEEP_ASSIGN_OR_RETURN(const json* params_after,
                            Member(*step, "classifier_head_params_after_step", "train_step"));
  return CheckNamedTensors(
      *params_after, "train_step.classifier_head_params_after_step",
      "train_step.classifier_head_params_after_step", tolerance,
      [&](const std::string& name) { return model.ParameterValues(name); }, out);
}

}  // namespace

bool IsSequenceClassificationGolden(const nlohmann::json& golden) {
  if (!golden.contains("batches") || !golden.contains("train_step")) return false;
  const json& b = golden["batches"];
  return b.is_array() && !b.empty() && b[0].is_object() && b[0].contains("labels");
}

StatusOr<std::vector<GoldenCheck>> CheckClassifierGolden(EncoderClassifier& model,
                                                         const nlohmann::json& golden,
                                                         double float_tolerance) {
  std::vector<GoldenCheck> checks;
  try {
    AUGSWEEP_ASSIGN_OR_RETURN(const json* batches, Member(golden, "batches", ""));
    if (!batches->is_array() || batches->empty())
      return Bad("batches", "expected a non-empty array");
    for (size_t i = 0; i < batches->size(); ++i) {
      AUGSWEEP_RETURN_IF_ERROR(CheckBatch(
          model, (*batches)[i], "batches[" + std::to_string(i) + "]", float_tolerance, &checks));
    }
    AUGSWEEP_RETURN_IF_ERROR(CheckTrainStep(model, golden, float_tolerance, &checks));
  } catch (const std::exception& e) {
    // The accessors check types before reading; this keeps the no-exception promise should a
    // corner of nlohmann::json still throw.
    return InvalidArgumentError(std::string("golden json: ") + e.what());
  }
  return checks;
}

}  // namespace augsweep
