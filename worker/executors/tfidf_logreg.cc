#include "worker/executors/tfidf_logreg.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace augsweep {
namespace {

// log(1 + exp(m)) without overflow for large |m|.
double Softplus(double m) { return std::max(m, 0.0) + std::log1p(std::exp(-std::fabs(m))); }

double Sigmoid(double m) {
  if (m >= 0) return 1.0 / (1.0 + std::exp(-m));
  const double e = std::exp(m);
  return e / (1.0 + e);
}

double Dot(const SparseRow& row, const std::vector<double>& w) {
  double s = 0;
  for (const SparseEntry& e : row) s += e.value * w[e.index];
  return s;
}

// One theme's binary problem and the state of its accelerated gradient descent.
// x = (w, b) is the current iterate, x_prev the one before; margins are kept for both so the
// extrapolated point's margins come from a linear combination instead of another pass over X.
class ThemeSolver {
 public:
  ThemeSolver(const std::vector<SparseRow>* rows, std::vector<double> y, int num_features,
              double step, double weight_decay)
      : rows_(rows),
        y_(std::move(y)),
        l2_(weight_decay),
        step_(step),
        w_(num_features, 0.0),
        w_prev_(num_features, 0.0),
        m_(rows->size(), 0.0),
        m_prev_(rows->size(), 0.0),
        y_w_(num_features, 0.0),
        grad_(num_features, 0.0),
        z_w_(num_features, 0.0),
        z_m_(rows->size(), 0.0) {
    objective_ = Objective(m_, w_);
  }

  double objective() const { return objective_; }
  const std::vector<double>& weights() const { return w_; }
  double bias() const { return b_; }

  // One epoch: a gradient step from the extrapolated point; taken only if it lowers the objective.
  void Step() {
    const size_t n = rows_->size();
    const size_t d = w_.size();
    const double t_next = (1.0 + std::sqrt(1.0 + 4.0 * t_ * t_)) / 2.0;
    const double beta = (t_ - 1.0) / t_next;

    // Extrapolated point y = x + beta (x - x_prev), and the gradient there.
    for (size_t j = 0; j < d; ++j) y_w_[j] = w_[j] + beta * (w_[j] - w_prev_[j]);
    const double y_b = b_ + beta * (b_ - b_prev_);
    std::fill(grad_.begin(), grad_.end(), 0.0);
    double grad_b = 0;
    const double inv_n = 1.0 / static_cast<double>(n);
    for (size_t i = 0; i < n; ++i) {
      const double margin = m_[i] + beta * (m_[i] - m_prev_[i]);
      const double r = (Sigmoid(margin) - y_[i]) * inv_n;
      grad_b += r;
      for (const SparseEntry& e : (*rows_)[i]) grad_[e.index] += r * e.value;
    }

    // Candidate z = y - step * grad F(y).
    for (size_t j = 0; j < d; ++j) z_w_[j] = y_w_[j] - step_ * (grad_[j] + l2_ * y_w_[j]);
    const double z_b = y_b - step_ * grad_b;
    for (size_t i = 0; i < n; ++i) z_m_[i] = Dot((*rows_)[i], z_w_) + z_b;
    const double z_objective = Objective(z_m_, z_w_);

    if (z_objective <= objective_) {
      std::swap(w_prev_, w_);
      std::swap(w_, z_w_);
      std::swap(m_prev_, m_);
      std::swap(m_, z_m_);
      b_prev_ = b_;
      b_ = z_b;
      objective_ = z_objective;
      t_ = t_next;
    } else if (beta > 0) {
      // Momentum overshot: restart from x with no momentum (the next step is a plain one).
      w_prev_ = w_;
      m_prev_ = m_;
      b_prev_ = b_;
      t_ = 1.0;
    } else {
      // Even a plain gradient step went uphill: the step is too long for this problem.
      step_ /= 2.0;
    }
  }

 private:
  double Objective(const std::vector<double>& margins, const std::vector<double>& w) const {
    double loss = 0;
    for (size_t i = 0; i < margins.size(); ++i) loss += Softplus(margins[i]) - y_[i] * margins[i];
    double sq = 0;
    for (double v : w) sq += v * v;
    return loss / static_cast<double>(margins.size()) + 0.5 * l2_ * sq;
  }

  const std::vector<SparseRow>* rows_;
  std::vector<double> y_;  // 0 or 1 per training text
  double l2_;
  double step_;
  double t_ = 1.0;  // FISTA momentum sequence; 1 means "no momentum"
  std::vector<double> w_, w_prev_;
  double b_ = 0, b_prev_ = 0;
  std::vector<double> m_, m_prev_;  // margins w.x_i + b of the current and previous iterate
  double objective_ = 0;
  // Scratch, kept to avoid reallocating every epoch.
  std::vector<double> y_w_, grad_, z_w_, z_m_;
};

Status CheckRequest(const TrainRequest& request) {
  const v1::ClassifierSpec& c = request.classifier;
  const std::string where = "tfidf-logreg classifier \"" + c.name() + "\": ";
  if (c.kind() != kTfidfLogRegKind) {
    return InvalidArgumentError(where + "kind is \"" + c.kind() + "\"; expected \"" +
                                kTfidfLogRegKind + "\"");
  }
  if (c.epochs() < 1) {
    return InvalidArgumentError(where + "epochs is " + std::to_string(c.epochs()) +
                                "; expected at least 1");
  }
  if (!(std::isfinite(c.learning_rate()) && c.learning_rate() > 0)) {
    return InvalidArgumentError(where + "learning_rate is " + std::to_string(c.learning_rate()) +
                                "; expected a positive finite number");
  }
  if (!(std::isfinite(c.weight_decay()) && c.weight_decay() >= 0)) {
    return InvalidArgumentError(where + "weight_decay is " + std::to_string(c.weight_decay()) +
                                "; expected a finite number >= 0");
  }
  if (request.themes.empty()) {
    return InvalidArgumentError(where + "no themes; expected at least one");
  }
  if (request.train.empty()) {
    return InvalidArgumentError(where + "no training texts; expected at least one");
  }
  const int num_themes = static_cast<int>(request.themes.size());
  for (size_t i = 0; i < request.train.size(); ++i) {
    for (int label : request.train[i].labels) {
      if (label < 0 || label >= num_themes) {
        return InvalidArgumentError(where + "training text " + std::to_string(i) +
                                    ": label index " + std::to_string(label) +
                                    " is out of range; expected 0.." +
                                    std::to_string(num_themes - 1));
      }
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<TrainOutcome> TfidfLogRegClassifier::TrainAndPredict(const TrainRequest& request,
                                                              JobControl& control) {
  AUGSWEEP_RETURN_IF_ERROR(CheckRequest(request));
  if (control.cancelled()) return CancelledError("tfidf-logreg: cancelled before training");

  const v1::ClassifierSpec& spec = request.classifier;
  const int epochs = spec.epochs();
  const int num_themes = static_cast<int>(request.themes.size());
  const size_t n = request.train.size();

  std::vector<std::string> train_texts;
  train_texts.reserve(n);
  for (const LabelledText& t : request.train) train_texts.push_back(t.text);
  TfidfVectorizer vectorizer(features_);
  AUGSWEEP_RETURN_IF_ERROR(
      vectorizer.Fit(train_texts).WithContext("tfidf-logreg classifier \"" + spec.name() + "\""));
  const std::vector<SparseRow> train_rows = vectorizer.Transform(train_texts);
  const std::vector<SparseRow> test_rows = vectorizer.Transform(request.test_texts);

  // Per theme: a solver, or the constant training rate when one class is missing.
  std::vector<ThemeSolver> solvers;
  std::vector<int> solver_of_theme(num_themes, -1);
  std::vector<double> constant_rate(num_themes, 0.0);
  for (int t = 0; t < num_themes; ++t) {
    std::vector<double> y(n, 0.0);
    size_t positives = 0;
    for (size_t i = 0; i < n; ++i) {
      for (int label : request.train[i].labels) {
        if (label == t) y[i] = 1.0;
      }
      if (y[i] != 0) ++positives;
    }
    if (positives == 0 || positives == n) {
      constant_rate[t] = positives == 0 ? 0.0 : 1.0;
      continue;
    }
    solver_of_theme[t] = static_cast<int>(solvers.size());
    solvers.emplace_back(&train_rows, std::move(y), vectorizer.num_features(), spec.learning_rate(),
                         spec.weight_decay());
  }

  TrainOutcome outcome;
  outcome.loss_curve.reserve(epochs);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    if (control.cancelled()) {
      return CancelledError("tfidf-logreg: cancelled at epoch " + std::to_string(epoch + 1) +
                            " of " + std::to_string(epochs));
    }
    double sum = 0;
    for (ThemeSolver& solver : solvers) {
      solver.Step();
      sum += solver.objective();
    }
    outcome.loss_curve.push_back(
        solvers.empty() ? 0.0f : static_cast<float>(sum / static_cast<double>(solvers.size())));
    control.ReportProgress(static_cast<float>(epoch + 1) / static_cast<float>(epochs));
  }

  outcome.test_probabilities.assign(test_rows.size(), std::vector<float>(num_themes, 0.0f));
  for (size_t i = 0; i < test_rows.size(); ++i) {
    for (int t = 0; t < num_themes; ++t) {
      double p = constant_rate[t];
      if (solver_of_theme[t] >= 0) {
        const ThemeSolver& s = solvers[solver_of_theme[t]];
        p = Sigmoid(Dot(test_rows[i], s.weights()) + s.bias());
      }
      if (!std::isfinite(p)) {
        return InternalError("tfidf-logreg: test text " + std::to_string(i) + ", theme " +
                             std::to_string(t) + ": probability is not finite");
      }
      outcome.test_probabilities[i][t] = static_cast<float>(p);
    }
  }
  return outcome;
}

}  // namespace augsweep
