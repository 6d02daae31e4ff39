// XLNet as transformers' XLNetForSequenceClassification computes it for classification: the
// content stream only (no perm_mask, target_mapping or mems; attn_type "bi", bi_data false),
// relative positional attention with content (r_w), position (r_r) and segment (r_s) biases,
// post-LN blocks, and the sequence summary of the last position ("last" + projection + tanh)
// before logits_proj.
//
// transformers works in [T, B, d] with einsums; this file keeps everything batch-first and uses
// plain matmuls (same products, summed in another order), which is also the layout the
// classifier's hidden states are returned in.
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "worker/runtime/encoder_impl.h"

namespace augsweep {
namespace encoder_internal {
namespace {

// transformers subtracts 1e30 from masked float32 scores (65500 under float16, whose range ends
// there); we fill with the same values. Every query may see its own position (see Forward's
// key mask), so no softmax row is all masked.
constexpr double kMaskedScore = -1e30;
constexpr double kMaskedScoreHalf = -65500.0;

// XLNet's sinusoid base: frequency of pair i is 1 / 10000^(2i / d_model).
constexpr double kPositionBase = 10000.0;

// The parameters of one block, as indices into Network::parameters(): each forward pass reads the
// tensors from there, so it runs whatever the optimiser or a loader left in the list, even if an
// update replaced a tensor instead of changing it in place.
struct LayerParams {
  size_t q, k, v, o, r;                     // [d_model, n_head, d_head]
  size_t r_r_bias, r_s_bias, r_w_bias;      // [n_head, d_head]
  size_t seg_embed;                         // [2, n_head, d_head]: same / other segment
  size_t attn_norm_weight, attn_norm_bias;  // rel_attn.layer_norm
  size_t ff_norm_weight, ff_norm_bias;      // ff.layer_norm
  size_t ff1_weight, ff1_bias, ff2_weight, ff2_bias;
};

// The relative distances XLNet attends over for T queries and T keys (no mems), as rows of a
// [2T, d_model] table: distance T - m for row m (T, T-1, ..., -T+1), so query i meets key j at
// row T - i + j (see RelativeShift). sin in the first half of each row, cos in the second.
at::Tensor RelativePositionTable(int64_t length, int64_t d_model, int clamp_len,
                                 at::Device device) {
  // Built in float32 with the operations transformers uses (pow, reciprocal, outer product), so
  // the table matches its values; then moved to the device like transformers' pos_emb.
  const at::TensorOptions cpu_float = at::TensorOptions().dtype(at::kFloat);
  at::Tensor distance = at::arange(length, -length, -1, cpu_float);
  if (clamp_len > 0) distance = distance.clamp(-clamp_len, clamp_len);
  at::Tensor exponent = at::arange(0, d_model, 2, cpu_float) / static_cast<double>(d_model);
  at::Tensor inverse_frequency = at::reciprocal(at::pow(kPositionBase, exponent));
  at::Tensor angle = at::outer(distance, inverse_frequency);
  return at::cat({angle.sin(), angle.cos()}, -1).to(device);
}

// scores[b, n, i, m] holds query i against table row m (distance T - m); returns the [B, n, T, T]
// view whose (i, j) entry is row T - i + j, distance i - j. Viewing each query block [T, 2T] as
// [2T, T], dropping its first row and viewing the rest as [T, 2T - 1] moves row i left by i
// places; the first T columns are then the wanted ones. No copy: the result is a strided view.
at::Tensor RelativeShift(const at::Tensor& scores) {
  const int64_t batch = scores.size(0);
  const int64_t heads = scores.size(1);
  const int64_t length = scores.size(2);
  return scores.contiguous()
      .view({batch, heads, 2 * length, length})
      .narrow(2, 1, 2 * length - 1)
      .view({batch, heads, length, 2 * length - 1})
      .narrow(3, 0, length);
}

class XlnetNetwork final : public Network {
 public:
  explicit XlnetNetwork(const EncoderConfig& config) : config_(config) {}

  Status Load(WeightSource& weights);

  at::Tensor Forward(const at::Tensor& ids, const at::Tensor& mask, const at::Tensor& token_types,
                     at::Generator* dropout, std::vector<at::Tensor>* hidden) const override;

 private:
  StatusOr<size_t> AddEncoder(WeightSource& weights, const std::string& name,
                              std::vector<int64_t> shape, bool bias_or_norm);
  StatusOr<size_t> AddHead(WeightSource& weights, const std::string& name,
                           std::vector<int64_t> shape, bool is_bias);
  const at::Tensor& P(size_t index) const { return parameters()[index].value; }

  // One block on h [B, T, d]. `key_mask` [B, 1, T, T] is true where a score is masked;
  // `other_segment` [B, 1, T, T] (undefined: no token types) is true where query and key
  // have different token types; `position_keys` [1 or B, n, 2T, d_head] are the layer's keys of
  // the relative position table.
  at::Tensor Layer(const LayerParams& layer, const at::Tensor& h, const at::Tensor& key_mask,
                   const at::Tensor& other_segment, const at::Tensor& position_keys,
                   at::Generator* dropout) const;

  EncoderConfig config_;
  size_t word_embedding_ = 0;
  std::vector<LayerParams> layers_;
  bool has_summary_proj_ = false;
  size_t summary_weight_ = 0, summary_bias_ = 0;
  size_t logits_weight_ = 0, logits_bias_ = 0;
};

StatusOr<size_t> XlnetNetwork::AddEncoder(WeightSource& weights, const std::string& name,
                                          std::vector<int64_t> shape, bool bias_or_norm) {
  // WeightSource adds (or falls back without) the "transformer." prefix itself.
  AUGSWEEP_ASSIGN_OR_RETURN(at::Tensor value, weights.Encoder(name, shape));
  Add("transformer." + name, std::move(value), /*in_head=*/false, bias_or_norm);
  return parameters().size() - 1;
}

StatusOr<size_t> XlnetNetwork::AddHead(WeightSource& weights, const std::string& name,
                                       std::vector<int64_t> shape, bool is_bias) {
  AUGSWEEP_ASSIGN_OR_RETURN(at::Tensor value, weights.Head(name, shape, is_bias));
  Add(name, std::move(value), /*in_head=*/true, /*bias_or_norm=*/is_bias);
  return parameters().size() - 1;
}

Status XlnetNetwork::Load(WeightSource& weights) {
  const int64_t d = config_.hidden_size;
  const int64_t n = config_.num_heads;
  const int64_t dh = config_.head_dim;
  const int64_t inner = config_.intermediate_size;

  // State-dict order: XLNetModel's own mask_emb comes before its submodules. mask_emb only
  // feeds the query stream of pre-training, so it is listed (checkpoints and the optimiser see
  // it) but never used here and never gets a gradient, as in transformers.
  AUGSWEEP_RETURN_IF_ERROR(AddEncoder(weights, "mask_emb", {1, 1, d}, false).status());
  AUGSWEEP_ASSIGN_OR_RETURN(word_embedding_, AddEncoder(weights, "word_embedding.weight",
                                                        {config_.vocab_size, d}, false));
  for (int i = 0; i < config_.num_layers; ++i) {
    const std::string attn = "layer." + std::to_string(i) + ".rel_attn.";
    const std::string ff = "layer." + std::to_string(i) + ".ff.";
    LayerParams p;
    AUGSWEEP_ASSIGN_OR_RETURN(p.q, AddEncoder(weights, attn + "q", {d, n, dh}, false));
    AUGSWEEP_ASSIGN_OR_RETURN(p.k, AddEncoder(weights, attn + "k", {d, n, dh}, false));
    AUGSWEEP_ASSIGN_OR_RETURN(p.v, AddEncoder(weights, attn + "v", {d, n, dh}, false));
    AUGSWEEP_ASSIGN_OR_RETURN(p.o, AddEncoder(weights, attn + "o", {d, n, dh}, false));
    AUGSWEEP_ASSIGN_OR_RETURN(p.r, AddEncoder(weights, attn + "r", {d, n, dh}, false));
    // The three attention biases count as biases for weight decay: transformers' Trainer
    // exempts every parameter whose name contains "bias".
    AUGSWEEP_ASSIGN_OR_RETURN(p.r_r_bias, AddEncoder(weights, attn + "r_r_bias", {n, dh}, true));
    AUGSWEEP_ASSIGN_OR_RETURN(p.r_s_bias, AddEncoder(weights, attn + "r_s_bias", {n, dh}, true));
    AUGSWEEP_ASSIGN_OR_RETURN(p.r_w_bias, AddEncoder(weights, attn + "r_w_bias", {n, dh}, true));
    AUGSWEEP_ASSIGN_OR_RETURN(p.seg_embed,
                              AddEncoder(weights, attn + "seg_embed", {2, n, dh}, false));
    AUGSWEEP_ASSIGN_OR_RETURN(p.attn_norm_weight,
                              AddEncoder(weights, attn + "layer_norm.weight", {d}, true));
    AUGSWEEP_ASSIGN_OR_RETURN(p.attn_norm_bias,
                              AddEncoder(weights, attn + "layer_norm.bias", {d}, true));
    AUGSWEEP_ASSIGN_OR_RETURN(p.ff_norm_weight,
                              AddEncoder(weights, ff + "layer_norm.weight", {d}, true));
    AUGSWEEP_ASSIGN_OR_RETURN(p.ff_norm_bias,
                              AddEncoder(weights, ff + "layer_norm.bias", {d}, true));
    AUGSWEEP_ASSIGN_OR_RETURN(p.ff1_weight,
                              AddEncoder(weights, ff + "layer_1.weight", {inner, d}, false));
    AUGSWEEP_ASSIGN_OR_RETURN(p.ff1_bias, AddEncoder(weights, ff + "layer_1.bias", {inner}, true));
    AUGSWEEP_ASSIGN_OR_RETURN(p.ff2_weight,
                              AddEncoder(weights, ff + "layer_2.weight", {d, inner}, false));
    AUGSWEEP_ASSIGN_OR_RETURN(p.ff2_bias, AddEncoder(weights, ff + "layer_2.bias", {d}, true));
    layers_.push_back(p);
  }

  // XLNet's summary projects to d_model (summary_proj_to_labels is not an XLNet setting).
  has_summary_proj_ = config_.summary_use_proj;
  if (has_summary_proj_) {
    AUGSWEEP_ASSIGN_OR_RETURN(summary_weight_,
                              AddHead(weights, "sequence_summary.summary.weight", {d, d}, false));
    AUGSWEEP_ASSIGN_OR_RETURN(summary_bias_,
                              AddHead(weights, "sequence_summary.summary.bias", {d}, true));
  }
  AUGSWEEP_ASSIGN_OR_RETURN(logits_weight_,
                            AddHead(weights, "logits_proj.weight", {config_.num_labels, d}, false));
  AUGSWEEP_ASSIGN_OR_RETURN(logits_bias_,
                            AddHead(weights, "logits_proj.bias", {config_.num_labels}, true));
  return OkStatus();
}

at::Tensor XlnetNetwork::Layer(const LayerParams& layer, const at::Tensor& h,
                               const at::Tensor& key_mask, const at::Tensor& other_segment,
                               const at::Tensor& position_keys, at::Generator* dropout) const {
  const int64_t batch = h.size(0);
  const int64_t length = h.size(1);
  const int64_t d = config_.hidden_size;
  const int64_t n = config_.num_heads;
  const int64_t dh = config_.head_dim;

  // The [d, n, d_head] projections are [d, n * d_head] matrices applied on the right; q, k and v
  // go through one matmul.
  const at::Tensor qkv_weight =
      at::cat({P(layer.q).reshape({d, n * dh}), P(layer.k).reshape({d, n * dh}),
               P(layer.v).reshape({d, n * dh})},
              1);
  const at::Tensor qkv =
      at::matmul(h, qkv_weight).view({batch, length, 3, n, dh}).permute({2, 0, 3, 1, 4});
  const at::Tensor q = qkv[0];  // [B, n, T, d_head]
  const at::Tensor k = qkv[1];
  const at::Tensor v = qkv[2];

  // Content score (q + r_w) . k, position score (q + r_r) . r shifted to distances i - j, and
  // segment score (q + r_s) . seg_embed[same or other segment].
  const at::Tensor content =
      at::matmul(q + P(layer.r_w_bias).view({1, n, 1, dh}), k.transpose(-1, -2));
  const at::Tensor position = RelativeShift(
      at::matmul(q + P(layer.r_r_bias).view({1, n, 1, dh}), position_keys.transpose(-1, -2)));
  // The [B, n, T, T] sums are done in place on a fresh tensor: none of these steps needs its
  // input for the backward pass, and each saves an allocation of the largest tensor here.
  at::Tensor scores = content + position;
  if (other_segment.defined()) {
    // [B, n, T, 2]: the score of each query against a same-segment and an other-segment key.
    const at::Tensor segment = at::matmul(q + P(layer.r_s_bias).view({1, n, 1, dh}),
                                          P(layer.seg_embed).permute({1, 2, 0}));
    scores.add_(at::where(other_segment, segment.narrow(-1, 1, 1), segment.narrow(-1, 0, 1)));
  }
  scores.mul_(1.0 / std::sqrt(static_cast<double>(dh)));
  scores.masked_fill_(key_mask,
                      scores.scalar_type() == at::kHalf ? kMaskedScoreHalf : kMaskedScore);
  at::Tensor probs = at::softmax(scores, -1);
  probs = Dropout(probs, config_.attention_dropout, dropout);

  const at::Tensor attended =
      at::matmul(probs, v).permute({0, 2, 1, 3}).reshape({batch, length, n * dh});
  // o maps back with its [d, n * d_head] matrix transposed, i.e. as a Linear weight.
  at::Tensor out = at::linear(attended, P(layer.o).reshape({d, n * dh}), at::Tensor());
  out = Dropout(out, config_.hidden_dropout, dropout);
  const at::Tensor after_attention = at::layer_norm(
      out + h, {d}, P(layer.attn_norm_weight), P(layer.attn_norm_bias), config_.layer_norm_eps);

  at::Tensor ff = at::linear(after_attention, P(layer.ff1_weight), P(layer.ff1_bias));
  ff = Dropout(Activation(ff, config_.activation), config_.hidden_dropout, dropout);
  ff = Dropout(at::linear(ff, P(layer.ff2_weight), P(layer.ff2_bias)), config_.hidden_dropout,
               dropout);
  return at::layer_norm(ff + after_attention, {d}, P(layer.ff_norm_weight), P(layer.ff_norm_bias),
                        config_.layer_norm_eps);
}

at::Tensor XlnetNetwork::Forward(const at::Tensor& ids, const at::Tensor& mask,
                                 const at::Tensor& token_types, at::Generator* dropout,
                                 std::vector<at::Tensor>* hidden) const {
  const int64_t batch = ids.size(0);
  const int64_t length = ids.size(1);
  const int64_t d = config_.hidden_size;
  const int64_t n = config_.num_heads;
  const int64_t dh = config_.head_dim;
  const bool training = dropout != nullptr && config_.hidden_dropout > 0;

  at::Tensor h = Dropout(at::embedding(P(word_embedding_), ids), config_.hidden_dropout, dropout);
  if (hidden != nullptr) hidden->push_back(h);

  // transformers' content-stream mask (non_tgt_mask) without perm_mask: padded keys are masked,
  // except that every query may still see its own position, so a padded query (left padding
  // puts them first) attends to the real tokens and itself and no row is empty.
  const at::Tensor padded_key = mask.eq(0).view({batch, 1, 1, length});
  const at::Tensor other_position =
      at::eye(length, at::TensorOptions().dtype(at::kBool).device(ids.device())).logical_not();
  const at::Tensor key_mask = padded_key.logical_and(other_position.view({1, 1, length, length}));
  // Segments: XLNet only asks whether two positions have the same token type (seg_mat); with
  // no token types it adds no segment term at all.
  at::Tensor other_segment;
  if (token_types.defined()) {
    other_segment =
        token_types.view({batch, 1, length, 1}).ne(token_types.view({batch, 1, 1, length}));
  }

  // The position keys r @ W_r. transformers applies dropout to the position table expanded
  // over the batch, so in training each example gets its own mask (and its own keys);
  // without dropout one set serves the whole batch.
  const at::Tensor table = RelativePositionTable(length, d, config_.clamp_len, ids.device());
  at::Tensor position_input = table;  // [2T, d]
  if (training) {
    position_input = Dropout(table.unsqueeze(0).expand({batch, 2 * length, d}).contiguous(),
                             config_.hidden_dropout, dropout);
  }

  for (const LayerParams& layer : layers_) {
    // [1 or B, 2T, n, d_head] -> [1 or B, n, 2T, d_head]
    const at::Tensor position_keys = at::matmul(position_input, P(layer.r).reshape({d, n * dh}))
                                         .view({-1, 2 * length, n, dh})
                                         .permute({0, 2, 1, 3});
    h = Layer(layer, h, key_mask, other_segment, position_keys, dropout);
    if (hidden != nullptr) hidden->push_back(h);
  }

  // summary_type "last": the final position, which XLNet's left padding makes <cls> for every
  // row. The transformer's output dropout is applied to that position only (the rest is unused).
  at::Tensor summary = Dropout(h.select(1, length - 1), config_.hidden_dropout, dropout);
  if (has_summary_proj_) summary = at::linear(summary, P(summary_weight_), P(summary_bias_));
  if (config_.summary_activation == "tanh") summary = at::tanh(summary);
  summary = Dropout(summary, config_.classifier_dropout, dropout);
  return at::linear(summary, P(logits_weight_), P(logits_bias_)).to(at::kFloat);
}

}  // namespace

StatusOr<std::unique_ptr<Network>> BuildXlnetNetwork(const EncoderConfig& config,
                                                     WeightSource& weights) {
  if (config.family != EncoderFamily::kXlnet) {
    return InvalidArgumentError(std::string("BuildXlnetNetwork: config is for ") +
                                EncoderFamilyName(config.family) + ", not xlnet");
  }
  // ReadEncoderConfig refuses these already; a hand-made config must not slip through and
  // compute something else silently.
  if (config.attn_type != "bi") {
    return InvalidArgumentError("xlnet: attn_type \"" + config.attn_type +
                                "\" is not supported (only \"bi\")");
  }
  if (config.summary_type != "last") {
    return InvalidArgumentError("xlnet: summary_type \"" + config.summary_type +
                                "\" is not supported (only \"last\")");
  }
  if (!config.summary_activation.empty() && config.summary_activation != "tanh") {
    return InvalidArgumentError("xlnet: summary_activation \"" + config.summary_activation +
                                "\" is not supported (\"tanh\" or none)");
  }
  if (config.num_heads <= 0 || config.head_dim <= 0 ||
      config.num_heads * config.head_dim != config.hidden_size) {
    return InvalidArgumentError("xlnet: n_head " + std::to_string(config.num_heads) + " x d_head " +
                                std::to_string(config.head_dim) + " must equal d_model " +
                                std::to_string(config.hidden_size));
  }
  if (config.hidden_size % 2 != 0) {
    return InvalidArgumentError("xlnet: d_model " + std::to_string(config.hidden_size) +
                                " must be even (sin/cos position pairs)");
  }
  auto network = std::make_unique<XlnetNetwork>(config);
  AUGSWEEP_RETURN_IF_ERROR(network->Load(weights));
  return std::unique_ptr<Network>(std::move(network));
}

}  // namespace encoder_internal
}  // namespace augsweep
