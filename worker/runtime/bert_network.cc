// BERT, RoBERTa and DistilBERT with their sequence-classification heads, as transformers'
// BertForSequenceClassification, RobertaForSequenceClassification and
// DistilBertForSequenceClassification compute them. The three share the post-LN transformer
// layer; they differ in the embeddings (token types, RoBERTa's position offset) and the head.
#include <cmath>
#include <limits>

#include "worker/runtime/encoder_impl.h"

namespace augsweep {
namespace encoder_internal {
namespace {

struct LayerNormWeights {
  at::Tensor weight, bias;
};

struct AttentionWeights {
  at::Tensor q, q_bias, k, k_bias, v, v_bias, out, out_bias;
  LayerNormWeights norm;  // after the residual
};

struct LayerWeights {
  AttentionWeights attention;
  at::Tensor up, up_bias, down, down_bias;  // intermediate and output dense
  LayerNormWeights norm;                    // after the feed-forward residual
};

// The tensor names of one family, relative to its base prefix.
struct Names {
  std::string base_prefix, word, position, token_type, embed_norm, layer;
  std::string q, k, v, attn_out, attn_norm, up, down, out_norm;
};

Names NamesFor(EncoderFamily family) {
  if (family == EncoderFamily::kDistilBert) {
    return Names{"distilbert.",
                 "embeddings.word_embeddings",
                 "embeddings.position_embeddings",
                 "",
                 "embeddings.LayerNorm",
                 "transformer.layer.",
                 "attention.q_lin",
                 "attention.k_lin",
                 "attention.v_lin",
                 "attention.out_lin",
                 "sa_layer_norm",
                 "ffn.lin1",
                 "ffn.lin2",
                 "output_layer_norm"};
  }
  return Names{family == EncoderFamily::kRoberta ? "roberta." : "bert.",
               "embeddings.word_embeddings",
               "embeddings.position_embeddings",
               "embeddings.token_type_embeddings",
               "embeddings.LayerNorm",
               "encoder.layer.",
               "attention.self.query",
               "attention.self.key",
               "attention.self.value",
               "attention.output.dense",
               "attention.output.LayerNorm",
               "intermediate.dense",
               "output.dense",
               "output.LayerNorm"};
}

class BertFamilyNetwork : public Network {
 public:
  explicit BertFamilyNetwork(const EncoderConfig& config)
      : config_(config), names_(NamesFor(config.family)) {}

  Status Build(WeightSource& w) {
    const int64_t h = config_.hidden_size, inner = config_.intermediate_size;
    const std::string& p = names_.base_prefix;
    auto encoder = [&](const std::string& name, at::IntArrayRef shape,
                       bool bias_or_norm) -> StatusOr<at::Tensor> {
      AUGSWEEP_ASSIGN_OR_RETURN(at::Tensor t, w.Encoder(name, shape));
      return Add(p + name, t, /*in_head=*/false, bias_or_norm);
    };
    auto norm = [&](const std::string& name) -> StatusOr<LayerNormWeights> {
      LayerNormWeights n;
      AUGSWEEP_ASSIGN_OR_RETURN(n.weight, encoder(name + ".weight", {h}, true));
      AUGSWEEP_ASSIGN_OR_RETURN(n.bias, encoder(name + ".bias", {h}, true));
      return n;
    };
    auto linear = [&](const std::string& name, int64_t out, int64_t in, at::Tensor& weight,
                      at::Tensor& bias) -> Status {
      AUGSWEEP_ASSIGN_OR_RETURN(weight, encoder(name + ".weight", {out, in}, false));
      AUGSWEEP_ASSIGN_OR_RETURN(bias, encoder(name + ".bias", {out}, true));
      return OkStatus();
    };

    AUGSWEEP_ASSIGN_OR_RETURN(word_,
                              encoder(names_.word + ".weight", {config_.vocab_size, h}, false));
    AUGSWEEP_ASSIGN_OR_RETURN(position_, encoder(names_.position + ".weight",
                                                 {config_.max_position_embeddings, h}, false));
    // DistilBERT's sinusoidal position table is fixed (transformers sets requires_grad False):
    // it gets no gradient, so clipping and AdamW leave it alone.
    if (config_.sinusoidal_positions) position_.requires_grad_(false);
    if (!names_.token_type.empty()) {
      AUGSWEEP_ASSIGN_OR_RETURN(
          token_type_, encoder(names_.token_type + ".weight", {config_.type_vocab_size, h}, false));
    }
    AUGSWEEP_ASSIGN_OR_RETURN(embed_norm_, norm(names_.embed_norm));
    for (int i = 0; i < config_.num_layers; ++i) {
      const std::string l = names_.layer + std::to_string(i) + ".";
      LayerWeights layer;
      AttentionWeights& a = layer.attention;
      AUGSWEEP_RETURN_IF_ERROR(linear(l + names_.q, h, h, a.q, a.q_bias));
      AUGSWEEP_RETURN_IF_ERROR(linear(l + names_.k, h, h, a.k, a.k_bias));
      AUGSWEEP_RETURN_IF_ERROR(linear(l + names_.v, h, h, a.v, a.v_bias));
      AUGSWEEP_RETURN_IF_ERROR(linear(l + names_.attn_out, h, h, a.out, a.out_bias));
      AUGSWEEP_ASSIGN_OR_RETURN(a.norm, norm(l + names_.attn_norm));
      AUGSWEEP_RETURN_IF_ERROR(linear(l + names_.up, inner, h, layer.up, layer.up_bias));
      AUGSWEEP_RETURN_IF_ERROR(linear(l + names_.down, h, inner, layer.down, layer.down_bias));
      AUGSWEEP_ASSIGN_OR_RETURN(layer.norm, norm(l + names_.out_norm));
      layers_.push_back(std::move(layer));
    }
    return BuildHead(w);
  }

  at::Tensor Forward(const at::Tensor& ids, const at::Tensor& mask, const at::Tensor& token_types,
                     at::Generator* dropout, std::vector<at::Tensor>* hidden) const override {
    at::Tensor x = Embed(ids, token_types, dropout);
    if (hidden) hidden->push_back(x);
    // Additive key mask [B, 1, 1, T]: 0 for real tokens, the lowest float for padding, as
    // transformers' get_extended_attention_mask (a row never has all keys masked: [CLS] is real).
    const at::Tensor additive = (1.0 - mask.to(at::kFloat))
                                    .mul(std::numeric_limits<float>::lowest())
                                    .view({mask.size(0), 1, 1, mask.size(1)});
    for (const LayerWeights& layer : layers_) {
      x = Layer(x, layer, additive, dropout);
      if (hidden) hidden->push_back(x);
    }
    return Head(x, dropout);
  }

 private:
  at::Tensor Embed(const at::Tensor& ids, const at::Tensor& token_types,
                   at::Generator* dropout) const {
    const int64_t T = ids.size(1);
    at::Tensor positions;
    if (config_.family == EncoderFamily::kRoberta) {
      // RoBERTa counts positions from padding_idx + 1 over the real tokens only (fairseq's
      // make_positions); padding keeps position padding_idx.
      const at::Tensor real = ids.ne(config_.pad_token_id).to(at::kLong);
      positions = at::cumsum(real, 1) * real + config_.pad_token_id;
    } else {
      positions = at::arange(T, ids.options()).unsqueeze(0).expand_as(ids);
    }
    at::Tensor x =
        at::embedding(word_, ids, config_.pad_token_id) + at::embedding(position_, positions);
    if (token_type_.defined()) {
      x = x + (token_types.defined() ? at::embedding(token_type_, token_types)
                                     : token_type_[0].view({1, 1, -1}));
    }
    x = at::layer_norm(x, {config_.hidden_size}, embed_norm_.weight, embed_norm_.bias,
                       config_.layer_norm_eps);
    return Dropout(x, config_.hidden_dropout, dropout);
  }

  at::Tensor Layer(const at::Tensor& x, const LayerWeights& w, const at::Tensor& additive_mask,
                   at::Generator* dropout) const {
    const int64_t B = x.size(0), T = x.size(1), heads = config_.num_heads, d = config_.head_dim;
    const AttentionWeights& a = w.attention;
    auto split = [&](const at::Tensor& t) { return t.view({B, T, heads, d}).transpose(1, 2); };
    const at::Tensor q = split(at::linear(x, a.q, a.q_bias));
    const at::Tensor k = split(at::linear(x, a.k, a.k_bias));
    const at::Tensor v = split(at::linear(x, a.v, a.v_bias));
    at::Tensor scores = at::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(d));
    scores = scores.to(at::kFloat) + additive_mask;
    at::Tensor probs = at::softmax(scores, -1).to(v.scalar_type());
    probs = Dropout(probs, config_.attention_dropout, dropout);
    const at::Tensor context = at::matmul(probs, v).transpose(1, 2).reshape({B, T, heads * d});
    at::Tensor attended =
        Dropout(at::linear(context, a.out, a.out_bias), config_.hidden_dropout, dropout);
    attended = at::layer_norm(attended + x, {config_.hidden_size}, a.norm.weight, a.norm.bias,
                              config_.layer_norm_eps);
    at::Tensor ff = Activation(at::linear(attended, w.up, w.up_bias), config_.activation);
    ff = Dropout(at::linear(ff, w.down, w.down_bias), config_.hidden_dropout, dropout);
    return at::layer_norm(ff + attended, {config_.hidden_size}, w.norm.weight, w.norm.bias,
                          config_.layer_norm_eps);
  }

  Status BuildHead(WeightSource& w) {
    const int64_t h = config_.hidden_size, labels = config_.num_labels;
    auto encoder = [&](const std::string& name, at::IntArrayRef shape,
                       bool bias_or_norm) -> StatusOr<at::Tensor> {
      AUGSWEEP_ASSIGN_OR_RETURN(at::Tensor t, w.Encoder(name, shape));
      return Add(names_.base_prefix + name, t, /*in_head=*/false, bias_or_norm);
    };
    auto head = [&](const std::string& name, at::IntArrayRef shape, bool is_bias,
                    bool in_head) -> StatusOr<at::Tensor> {
      AUGSWEEP_ASSIGN_OR_RETURN(at::Tensor t, w.Head(name, shape, is_bias));
      return Add(name, t, in_head, is_bias);
    };
    switch (config_.family) {
      case EncoderFamily::kBert: {
        // The pooler belongs to BertModel, but a checkpoint saved without it still classifies:
        // then it is initialised like a head layer.
        if (w.HasEncoder("pooler.dense.weight")) {
          AUGSWEEP_ASSIGN_OR_RETURN(pre_, encoder("pooler.dense.weight", {h, h}, false));
          AUGSWEEP_ASSIGN_OR_RETURN(pre_bias_, encoder("pooler.dense.bias", {h}, true));
        } else {
          AUGSWEEP_ASSIGN_OR_RETURN(pre_, head("bert.pooler.dense.weight", {h, h}, false, false));
          AUGSWEEP_ASSIGN_OR_RETURN(pre_bias_, head("bert.pooler.dense.bias", {h}, true, false));
        }
        AUGSWEEP_ASSIGN_OR_RETURN(out_, head("classifier.weight", {labels, h}, false, true));
        AUGSWEEP_ASSIGN_OR_RETURN(out_bias_, head("classifier.bias", {labels}, true, true));
        break;
      }
      case EncoderFamily::kRoberta: {
        AUGSWEEP_ASSIGN_OR_RETURN(pre_, head("classifier.dense.weight", {h, h}, false, true));
        AUGSWEEP_ASSIGN_OR_RETURN(pre_bias_, head("classifier.dense.bias", {h}, true, true));
        AUGSWEEP_ASSIGN_OR_RETURN(out_,
                                  head("classifier.out_proj.weight", {labels, h}, false, true));
        AUGSWEEP_ASSIGN_OR_RETURN(out_bias_,
                                  head("classifier.out_proj.bias", {labels}, true, true));
        break;
      }
      case EncoderFamily::kDistilBert: {
        AUGSWEEP_ASSIGN_OR_RETURN(pre_, head("pre_classifier.weight", {h, h}, false, true));
        AUGSWEEP_ASSIGN_OR_RETURN(pre_bias_, head("pre_classifier.bias", {h}, true, true));
        AUGSWEEP_ASSIGN_OR_RETURN(out_, head("classifier.weight", {labels, h}, false, true));
        AUGSWEEP_ASSIGN_OR_RETURN(out_bias_, head("classifier.bias", {labels}, true, true));
        break;
      }
      case EncoderFamily::kXlnet:
        return InternalError("BertFamilyNetwork built for XLNet");
    }
    return OkStatus();
  }

  at::Tensor Head(const at::Tensor& x, at::Generator* dropout) const {
    const at::Tensor first = x.select(1, 0);  // [CLS] / <s>
    at::Tensor pooled;
    switch (config_.family) {
      case EncoderFamily::kBert:
        pooled = Dropout(at::tanh(at::linear(first, pre_, pre_bias_)), config_.classifier_dropout,
                         dropout);
        break;
      case EncoderFamily::kRoberta:
        pooled = at::tanh(
            at::linear(Dropout(first, config_.classifier_dropout, dropout), pre_, pre_bias_));
        pooled = Dropout(pooled, config_.classifier_dropout, dropout);
        break;
      default:  // DistilBERT
        pooled = Dropout(at::relu(at::linear(first, pre_, pre_bias_)), config_.classifier_dropout,
                         dropout);
        break;
    }
    return at::linear(pooled, out_, out_bias_).to(at::kFloat);
  }

  EncoderConfig config_;
  Names names_;
  at::Tensor word_, position_, token_type_;
  LayerNormWeights embed_norm_;
  std::vector<LayerWeights> layers_;
  // Head: BERT pooler + classifier, RoBERTa classifier.dense + out_proj, DistilBERT
  // pre_classifier + classifier.
  at::Tensor pre_, pre_bias_, out_, out_bias_;
};

}  // namespace

StatusOr<std::unique_ptr<Network>> BuildBertFamilyNetwork(const EncoderConfig& config,
                                                          WeightSource& weights) {
  auto network = std::make_unique<BertFamilyNetwork>(config);
  AUGSWEEP_RETURN_IF_ERROR(network->Build(weights));
  return std::unique_ptr<Network>(std::move(network));
}

}  // namespace encoder_internal
}  // namespace augsweep
