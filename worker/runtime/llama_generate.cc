// Batched generation with a preallocated KV cache.
//
// Layout: sequence i of the batch lives in cache slot i, its token at position p in column p. So
// a batch needs no left padding: a prompt's rotary positions are 0..P-1 and the decode mask
// hides the columns past each row's own length, which is the same arithmetic as transformers'
// left padding with position_ids = cumsum(mask) - 1. It also lets sequences come and go: one that
// ends is replaced by the last active slot (one row copied), so the active sequences are always
// slots [0, n) and every step computes exactly the live sequences; a waiting request is
// prefilled straight into a free slot.
//
// Sampling: the penalties (repetition, presence, frequency), temperature, top-k, top-p and min-p
// run on the device (one sort or top-k per step); the final draw runs on the CPU with each
// sequence's own SequenceRng.
#include <ATen/core/Tensor.h>
#include <ATen/ops/arange.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/softmax.h>
#include <ATen/ops/sort.h>
#include <ATen/ops/topk.h>
#include <ATen/ops/where.h>
#include <ATen/ops/zeros.h>
#include <ATen/ops/zeros_like.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "worker/runtime/llama_impl.h"
#include "worker/runtime/sampling.h"
#include "worker/runtime/torch_guard.h"

namespace augsweep {
namespace {

using llama_internal::CacheUse;
using llama_internal::KvCache;

Status ValidateOptions(const GenerationOptions& o, int vocab_size) {
  auto bad = [](const std::string& field, const std::string& what) {
    return InvalidArgumentError("GenerationOptions." + field + ": " + what);
  };
  if (o.max_new_tokens < 0) {
    return bad("max_new_tokens", "expected >= 0, got " + std::to_string(o.max_new_tokens));
  }
  if (!(o.temperature >= 0) || !std::isfinite(o.temperature)) {
    return bad("temperature", "expected a finite value >= 0, got " + std::to_string(o.temperature));
  }
  if (!(o.top_p > 0 && o.top_p <= 1)) {
    return bad("top_p", "expected a value in (0, 1], got " + std::to_string(o.top_p));
  }
  if (o.top_k < 0) return bad("top_k", "expected >= 0, got " + std::to_string(o.top_k));
  if (!(o.repetition_penalty > 0) || !std::isfinite(o.repetition_penalty)) {
    return bad("repetition_penalty",
               "expected a finite value > 0, got " + std::to_string(o.repetition_penalty));
  }
  if (!(o.min_p >= 0 && o.min_p <= 1)) {
    return bad("min_p", "expected a value in [0, 1], got " + std::to_string(o.min_p));
  }
  for (const auto& [name, value] :
       {std::pair<const char*, float>{"presence_penalty", o.presence_penalty},
        {"frequency_penalty", o.frequency_penalty}}) {
    if (!(value >= -2 && value <= 2)) {
      return bad(name, "expected a value in [-2, 2], got " + std::to_string(value));
    }
  }
  for (size_t w = 0; w < o.bad_words_ids.size(); ++w) {
    const std::vector<int32_t>& ids = o.bad_words_ids[w];
    const std::string name = "bad_words_ids[" + std::to_string(w) + "]";
    if (ids.empty()) return bad(name, "empty");
    for (int32_t id : ids) {
      if (id < 0 || id >= vocab_size) {
        return bad(name, "token id " + std::to_string(id) + " is outside the vocabulary (0.." +
                             std::to_string(vocab_size - 1) + ")");
      }
    }
  }
  if (o.max_batch < 1) return bad("max_batch", "expected >= 1, got " + std::to_string(o.max_batch));
  return OkStatus();
}

// Request number `r` (in the order it was given).
Status ValidateRequest(const SequenceRequest& request, size_t r, int vocab_size) {
  const std::vector<int32_t>& prompt = request.prompt_ids;
  const std::string name = "requests[" + std::to_string(r) + "].prompt_ids";
  if (prompt.empty()) return InvalidArgumentError(name + ": empty (start it with BOS)");
  for (size_t i = 0; i < prompt.size(); ++i) {
    if (prompt[i] < 0 || prompt[i] >= vocab_size) {
      return InvalidArgumentError(
          name + "[" + std::to_string(i) + "] = " + std::to_string(prompt[i]) +
          " is outside the vocabulary [0, " + std::to_string(vocab_size) + ")");
    }
  }
  return OkStatus();
}

at::Tensor LongTensor(const std::vector<int64_t>& values, at::Device device) {
  at::Tensor t =
      at::empty({static_cast<int64_t>(values.size())}, at::TensorOptions().dtype(at::kLong));
  std::copy(values.begin(), values.end(), t.data_ptr<int64_t>());
  return t.to(device);
}

// One sequence in the batch; slot i of the cache belongs to active_[i].
struct ActiveSequence {
  size_t request;
  int64_t length;      // tokens stored in the cache
  int32_t next_token;  // sampled, not yet stored
  SequenceRng rng;
};

class Generator {
 public:
  Generator(LlamaModel::Impl& model, RequestStream& stream, const GenerationOptions& options,
            const std::function<bool(size_t, const std::vector<int32_t>&)>& should_stop,
            const std::function<bool()>& cancelled)
      : m_(model),
        stream_(stream),
        o_(options),
        should_stop_(should_stop),
        cancelled_(cancelled),
        eos_(options.eos_ids.empty() ? model.config.eos_token_ids : options.eos_ids) {}

  const GenerationStats& stats() const { return stats_; }

  Status Run() {
    if (o_.max_new_tokens == 0) {  // every request ends at once, with nothing generated
      while (std::optional<SequenceRequest> r = stream_.next()) {
        const size_t index = requests_.size();
        AUGSWEEP_RETURN_IF_ERROR(ValidateRequest(*r, index, m_.config.vocab_size));
        requests_.push_back(std::move(*r));
        stream_.finished(index, SequenceOutput());
      }
      return OkStatus();
    }
    int64_t passes = 0;
    for (;;) {
      // Requests for the free slots, as many as the stream has now.
      std::vector<size_t> batch;
      const size_t free_slots = (slots_ == 0 ? PlannedSlots() : slots_) - active_.size();
      while (batch.size() < free_slots) {
        std::optional<SequenceRequest> r = stream_.next();
        if (!r) break;
        const size_t index = requests_.size();
        AUGSWEEP_RETURN_IF_ERROR(ValidateRequest(*r, index, m_.config.vocab_size));
        requests_.push_back(std::move(*r));
        outputs_.emplace_back();
        batch.push_back(index);
      }
      if (batch.empty() && active_.empty()) break;
      if (cancelled_ && cancelled_()) {
        return CancelledError("generation cancelled after " + std::to_string(passes) +
                              " forward passes");
      }
      ++passes;
      ++stats_.forward_passes;
      if (!batch.empty()) {
        Reserve(batch);
        Admit(batch);
      } else {
        Step();
      }
    }
    return OkStatus();
  }

 private:
  // The batch size: max_batch, or fewer when the stream says it has fewer requests.
  size_t PlannedSlots() const {
    const auto most = static_cast<size_t>(o_.max_batch);
    return stream_.expected > 0 ? std::min(most, stream_.expected) : most;
  }

  // Makes room for `batch` (indexes into requests_): allocates the cache at the first admission
  // (stream_.expected requests, or max_batch slots, whichever is fewer) and lengthens it when a
  // prompt is longer than any before.
  void Reserve(const std::vector<size_t>& batch) {
    const LlamaConfig& c = m_.config;
    int64_t longest = 0;
    for (size_t r : batch) {
      longest = std::max<int64_t>(longest, static_cast<int64_t>(requests_[r].prompt_ids.size()));
    }
    // The last sampled token is never fed back, so max_new_tokens - 1 columns follow the prompt.
    const int64_t needed = longest + o_.max_new_tokens - 1;
    const at::TensorOptions opts = at::TensorOptions().dtype(m_.dtype).device(m_.device);
    if (slots_ == 0) {
      slots_ = PlannedSlots();
      capacity_ = needed;
      // Zeroed, not empty: masked columns are multiplied by a zero probability, and
      // uninitialised memory could hold NaN (0 * NaN = NaN).
      for (int l = 0; l < c.num_layers; ++l) {
        cache_.k.push_back(
            at::zeros({static_cast<int64_t>(slots_), c.num_kv_heads, capacity_, c.head_dim}, opts));
        cache_.v.push_back(at::zeros_like(cache_.k.back()));
      }
      if (o_.repetition_penalty != 1.0f) {
        seen_ = at::zeros({static_cast<int64_t>(slots_), c.vocab_size},
                          at::TensorOptions().dtype(at::kBool).device(m_.device));
      }
      if (o_.presence_penalty != 0 || o_.frequency_penalty != 0) {
        generated_counts_ = at::zeros({static_cast<int64_t>(slots_), c.vocab_size},
                                      at::TensorOptions().dtype(at::kFloat).device(m_.device));
      }
    } else if (needed > capacity_) {
      for (std::vector<at::Tensor>* kvs : {&cache_.k, &cache_.v}) {
        for (at::Tensor& kv : *kvs) {
          at::Tensor longer = at::zeros({kv.size(0), kv.size(1), needed, kv.size(3)}, opts);
          longer.narrow(2, 0, capacity_).copy_(kv);
          kv = longer;
        }
      }
      capacity_ = needed;
    }
    m_.EnsureRope(capacity_);
  }

  // Prefills `batch` (indexes into requests_) together into slots [active, active + count),
  // right padded to the longest (padding sits after each row's tokens, so the causal mask alone
  // keeps it out of every real token's attention).
  void Admit(const std::vector<size_t>& batch) {
    const LlamaConfig& c = m_.config;
    const size_t count = batch.size();
    const int64_t slot0 = static_cast<int64_t>(active_.size());
    // Identical prompts are prefilled once: `distinct` lists the first request of each prompt,
    // `copy_of[i]` the distinct prompt request batch[i] has.
    std::vector<size_t> distinct;
    std::vector<int64_t> copy_of(count);
    std::map<std::vector<int32_t>, int64_t> index_of;
    for (size_t i = 0; i < count; ++i) {
      const auto [it, added] = index_of.try_emplace(requests_[batch[i]].prompt_ids,
                                                    static_cast<int64_t>(distinct.size()));
      if (added) distinct.push_back(batch[i]);
      copy_of[i] = it->second;
    }
    const int64_t n = static_cast<int64_t>(distinct.size());
    stats_.prefilled_prompts += n;
    int64_t t = 0;
    for (size_t r : distinct) {
      t = std::max<int64_t>(t, static_cast<int64_t>(requests_[r].prompt_ids.size()));
    }
    std::vector<int64_t> ids(n * t, 0), positions(n * t), last_index(n);
    for (int64_t i = 0; i < n; ++i) {
      const std::vector<int32_t>& prompt = requests_[distinct[static_cast<size_t>(i)]].prompt_ids;
      std::copy(prompt.begin(), prompt.end(), ids.begin() + i * t);
      for (int64_t j = 0; j < t; ++j) positions[i * t + j] = j;
      last_index[i] = i * t + static_cast<int64_t>(prompt.size()) - 1;
    }
    at::Tensor ids_t = LongTensor(ids, m_.device).view({n, t});
    at::Tensor positions_t = LongTensor(positions, m_.device).view({n, t});
    at::Tensor allowed = at::ones({t, t}, at::TensorOptions().dtype(at::kBool)).tril();
    if (c.sliding_window > 0) allowed = allowed.triu(-(c.sliding_window - 1));
    at::Tensor mask = at::zeros({1, 1, t, t}, at::TensorOptions().dtype(m_.dtype))
                          .masked_fill_(allowed.logical_not().view({1, 1, t, t}), m_.MaskValue())
                          .to(m_.device);
    CacheUse use;
    use.kind = CacheUse::kPrefill;
    use.cache = &cache_;
    use.first_slot = slot0;
    at::Tensor h = m_.Layers(m_.Embed(ids_t), positions_t, mask, use, nullptr);
    at::Tensor last =
        h.view({n * t, c.hidden_size}).index_select(0, LongTensor(last_index, m_.device));
    at::Tensor logits = m_.Logits(last);  // [n, vocab]
    if (n < static_cast<int64_t>(count)) {
      // Distinct prompt d sits in slot slot0 + d; request i's slot is slot0 + i, and d <= i.
      // From the back, so a distinct prompt's row is read before its slot is overwritten.
      for (int64_t i = static_cast<int64_t>(count) - 1; i >= 0; --i) {
        const int64_t d = copy_of[static_cast<size_t>(i)];
        if (d == i) continue;
        for (size_t l = 0; l < cache_.k.size(); ++l) {
          for (at::Tensor* kv : {&cache_.k[l], &cache_.v[l]}) {
            kv->select(0, slot0 + i)
                .narrow(1, 0, t)
                .copy_(kv->select(0, slot0 + d).narrow(1, 0, t));
          }
        }
      }
      logits = logits.index_select(0, LongTensor(copy_of, m_.device));  // [count, vocab]
    }

    for (size_t i = 0; i < count; ++i) {
      const SequenceRequest& r = requests_[batch[i]];
      active_.push_back(
          {batch[i], static_cast<int64_t>(r.prompt_ids.size()), 0, SequenceRng(r.seed)});
      if (seen_.defined()) {
        std::vector<int64_t> prompt(r.prompt_ids.begin(), r.prompt_ids.end());
        seen_.select(0, slot0 + i).zero_().index_fill_(0, LongTensor(prompt, m_.device), true);
      }
      if (generated_counts_.defined()) generated_counts_.select(0, slot0 + i).zero_();
    }
    std::vector<int32_t> tokens = ChooseTokens(logits, slot0);
    std::vector<size_t> finished;
    for (size_t i = 0; i < count; ++i) {
      if (Append(slot0 + i, tokens[i])) finished.push_back(slot0 + i);
    }
    Retire(finished);
  }

  // One token for every active sequence.
  void Step() {
    const LlamaConfig& c = m_.config;
    const int64_t n = static_cast<int64_t>(active_.size());
    std::vector<int64_t> tokens(n), lengths(n);
    int64_t key_length = 0;
    for (int64_t i = 0; i < n; ++i) {
      tokens[i] = active_[i].next_token;
      lengths[i] = active_[i].length;
      key_length = std::max(key_length, lengths[i] + 1);
    }
    at::Tensor lengths_t = LongTensor(lengths, m_.device).view({n, 1});
    at::Tensor columns = at::arange(key_length, lengths_t.options()).view({1, key_length});
    at::Tensor allowed = columns.le(lengths_t);  // [n, key_length]
    if (c.sliding_window > 0)
      allowed = allowed.logical_and(columns.gt(lengths_t.sub(c.sliding_window)));
    at::Tensor mask =
        at::zeros({n, 1, 1, key_length}, at::TensorOptions().dtype(m_.dtype).device(m_.device))
            .masked_fill_(allowed.logical_not().view({n, 1, 1, key_length}), m_.MaskValue());
    CacheUse use;
    use.kind = CacheUse::kDecode;
    use.cache = &cache_;
    use.write_columns =
        lengths_t.view({n, 1, 1, 1}).expand({n, c.num_kv_heads, 1, c.head_dim}).contiguous();
    use.columns = lengths;
    use.key_length = key_length;
    at::Tensor h = m_.Layers(m_.Embed(LongTensor(tokens, m_.device).view({n, 1})), lengths_t, mask,
                             use, nullptr);
    at::Tensor logits = m_.Logits(h.view({n, c.hidden_size}));

    std::vector<int32_t> chosen = ChooseTokens(logits, 0);
    std::vector<size_t> finished;
    for (int64_t i = 0; i < n; ++i) {
      ++active_[i].length;
      if (Append(i, chosen[i])) finished.push_back(i);
    }
    Retire(finished);
  }

  // Picks the next token of active_[first_row + i] from logits row i ([rows, vocab] float32).
  std::vector<int32_t> ChooseTokens(at::Tensor logits, int64_t first_row) {
    const int64_t rows = logits.size(0), vocab = logits.size(1);
    if (seen_.defined()) {
      const double p = o_.repetition_penalty;
      at::Tensor penalized = at::where(logits.gt(0), logits.div(p), logits.mul(p));
      logits = at::where(seen_.narrow(0, first_row, rows), penalized, logits);
    }
    logits = BanBadWords(logits, first_row);
    if (generated_counts_.defined()) {
      at::Tensor counts = generated_counts_.narrow(0, first_row, rows);
      logits = logits.sub(counts.mul(static_cast<double>(o_.frequency_penalty)))
                   .sub(counts.gt(0).to(at::kFloat).mul(static_cast<double>(o_.presence_penalty)));
    }
    std::vector<int32_t> chosen(rows);
    if (o_.temperature == 0) {
      at::Tensor best = logits.argmax(-1).to(at::kCPU);
      for (int64_t i = 0; i < rows; ++i)
        chosen[i] = static_cast<int32_t>(best.data_ptr<int64_t>()[i]);
    } else {
      at::Tensor scaled = logits.div(static_cast<double>(o_.temperature));
      at::Tensor values, ids;  // ids undefined: values are in vocabulary order
      if (o_.top_k > 0 && o_.top_k < vocab) {
        std::tie(values, ids) = at::topk(scaled, o_.top_k, -1, /*largest=*/true, /*sorted=*/true);
      } else if (o_.top_p < 1) {
        std::tie(values, ids) = at::sort(scaled, /*stable=*/true, -1, /*descending=*/true);
      } else {
        values = scaled;
      }
      at::Tensor probs = at::softmax(values, -1);
      if (o_.min_p > 0) {
        // Relative to the most probable token, so it does not matter that top-k or top-p may
        // drop tokens below only afterwards: the ratio of two kept tokens is the same either way.
        at::Tensor floor = std::get<0>(probs.max(-1, /*keepdim=*/true)).mul(o_.min_p);
        probs = probs.masked_fill(probs.lt(floor), 0);
      }
      int64_t width = probs.size(1);
      std::vector<int64_t> keep(rows, width);
      if (o_.top_p < 1) {
        // Keep a token while the mass of the more probable ones is below top_p: the smallest
        // prefix whose mass reaches top_p, and never less than one token.
        at::Tensor count =
            probs.cumsum(-1).sub(probs).lt(o_.top_p).sum({-1}).clamp_min(1).to(at::kCPU);
        for (int64_t i = 0; i < rows; ++i) keep[i] = count.data_ptr<int64_t>()[i];
        width = *std::max_element(keep.begin(), keep.end());
        probs = probs.narrow(1, 0, width);
        ids = ids.narrow(1, 0, width);
      }
      at::Tensor probs_cpu = probs.to(at::kCPU).contiguous();
      at::Tensor ids_cpu = ids.defined() ? ids.to(at::kCPU).contiguous() : at::Tensor();
      for (int64_t i = 0; i < rows; ++i) {
        const float* row = probs_cpu.data_ptr<float>() + i * width;
        const double u = active_[first_row + i].rng.Uniform();
        const size_t pick = DrawFromProbabilities({row, static_cast<size_t>(keep[i])}, u);
        chosen[i] = static_cast<int32_t>(
            ids_cpu.defined() ? ids_cpu.data_ptr<int64_t>()[i * width + pick] : pick);
      }
    }
    if (seen_.defined() || generated_counts_.defined()) {
      std::vector<int64_t> picked(chosen.begin(), chosen.end());
      at::Tensor picked_t = LongTensor(picked, m_.device).view({rows, 1});
      if (seen_.defined()) seen_.narrow(0, first_row, rows).scatter_(1, picked_t, true);
      if (generated_counts_.defined())
        generated_counts_.narrow(0, first_row, rows)
            .scatter_add_(1, picked_t, at::ones({rows, 1}, generated_counts_.options()));
    }
    return chosen;
  }

  // `logits` with -inf for every token that would complete a bad word after the history (prompt
  // and output) of active_[first_row + i]; as it was when there is none.
  at::Tensor BanBadWords(const at::Tensor& logits, int64_t first_row) const {
    if (o_.bad_words_ids.empty()) return logits;
    const int64_t rows = logits.size(0), vocab = logits.size(1);
    std::vector<int64_t> banned;  // row * vocab + token
    for (int64_t i = 0; i < rows; ++i) {
      const ActiveSequence& s = active_[static_cast<size_t>(first_row + i)];
      const std::vector<int32_t>& prompt = requests_[s.request].prompt_ids;
      const std::vector<int32_t>& out = outputs_[s.request].new_ids;
      // The k-th token from the end of the history (k >= 1).
      auto back = [&](size_t k) {
        return k <= out.size() ? out[out.size() - k] : prompt[prompt.size() - (k - out.size())];
      };
      for (const std::vector<int32_t>& word : o_.bad_words_ids) {
        const size_t before = word.size() - 1;
        if (before > prompt.size() + out.size()) continue;
        bool follows = true;
        for (size_t j = 1; j <= before && follows; ++j) follows = word[before - j] == back(j);
        if (follows) banned.push_back(i * vocab + word.back());
      }
    }
    if (banned.empty()) return logits;
    return logits.contiguous()
        .view({rows * vocab})
        .index_fill(0, LongTensor(banned, logits.device()),
                    -std::numeric_limits<double>::infinity())
        .view({rows, vocab});
  }

  // Records the token of active_[row]; true when its sequence has ended.
  bool Append(size_t row, int32_t token) {
    ActiveSequence& s = active_[row];
    SequenceOutput& out = outputs_[s.request];
    out.new_ids.push_back(token);
    s.next_token = token;
    if (std::find(eos_.begin(), eos_.end(), token) != eos_.end()) {
      out.finished_by_eos = true;
      return true;
    }
    if (should_stop_ && should_stop_(s.request, out.new_ids)) {
      out.stopped = true;
      return true;
    }
    return static_cast<int>(out.new_ids.size()) >= o_.max_new_tokens;
  }

  // Hands ended sequences to the stream and removes them, moving the last active slot into each
  // hole.
  void Retire(std::vector<size_t> rows) {
    for (size_t row : rows) {  // in slot order, so the order of delivery is deterministic
      const size_t request = active_[row].request;
      stream_.finished(request, std::move(outputs_[request]));
      outputs_[request] = SequenceOutput();
    }
    std::sort(rows.rbegin(), rows.rend());  // from the back, so `last` is never an ended row
    for (size_t row : rows) {
      const size_t last = active_.size() - 1;
      if (row != last) {
        const int64_t length = active_[last].length;
        for (size_t l = 0; l < cache_.k.size(); ++l) {
          for (at::Tensor* kv : {&cache_.k[l], &cache_.v[l]}) {
            kv->select(0, row).narrow(1, 0, length).copy_(kv->select(0, last).narrow(1, 0, length));
          }
        }
        if (seen_.defined()) seen_.select(0, row).copy_(seen_.select(0, last));
        if (generated_counts_.defined())
          generated_counts_.select(0, row).copy_(generated_counts_.select(0, last));
        active_[row] = active_[last];
      }
      active_.pop_back();
    }
  }

  LlamaModel::Impl& m_;
  RequestStream& stream_;
  std::vector<SequenceRequest> requests_;  // every admitted request, by number
  const GenerationOptions& o_;
  const std::function<bool(size_t, const std::vector<int32_t>&)>& should_stop_;
  const std::function<bool()>& cancelled_;
  const std::vector<int32_t> eos_;
  std::vector<SequenceOutput> outputs_;  // of the sequences still active, by request number
  KvCache cache_;
  at::Tensor seen_;  // [slots, vocab] bool: tokens in each slot's prompt + output (penalty only)
  // [slots, vocab] float: how often each slot generated each token (presence/frequency only).
  at::Tensor generated_counts_;
  GenerationStats stats_;
  size_t slots_ = 0;
  int64_t capacity_ = 0;
  std::vector<ActiveSequence> active_;
};

}  // namespace

Status LlamaModel::GenerateStream(
    RequestStream& stream, const GenerationOptions& options,
    const std::function<bool(size_t, const std::vector<int32_t>&)>& should_stop,
    const std::function<bool()>& cancelled, GenerationStats* stats) {
  return GuardTorch("LlamaModel::Generate", [&]() -> Status {
    AUGSWEEP_RETURN_IF_ERROR(ValidateOptions(options, impl_->config.vocab_size));
    c10::InferenceMode inference;
    Generator generator(*impl_, stream, options, should_stop, cancelled);
    Status status = generator.Run();
    if (stats != nullptr) *stats = generator.stats();
    return status;
  });
}

StatusOr<std::vector<SequenceOutput>> LlamaModel::Generate(
    const std::vector<SequenceRequest>& requests, const GenerationOptions& options,
    const std::function<bool(size_t, const std::vector<int32_t>&)>& should_stop,
    const std::function<bool()>& cancelled, GenerationStats* stats) {
  // Every prompt is checked before anything runs, as callers of the list form expect.
  for (size_t r = 0; r < requests.size(); ++r) {
    AUGSWEEP_RETURN_IF_ERROR(ValidateRequest(requests[r], r, impl_->config.vocab_size));
  }
  std::vector<SequenceOutput> outputs(requests.size());
  size_t next = 0;
  RequestStream stream;
  stream.expected = requests.size();
  stream.next = [&]() -> std::optional<SequenceRequest> {
    if (next == requests.size()) return std::nullopt;
    return requests[next++];
  };
  stream.finished = [&](size_t index, SequenceOutput output) {
    outputs[index] = std::move(output);
  };
  AUGSWEEP_RETURN_IF_ERROR(GenerateStream(stream, options, should_stop, cancelled, stats));
  return outputs;
}

}  // namespace augsweep
