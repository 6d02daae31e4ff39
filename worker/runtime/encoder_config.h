// The hyperparameters of a text-classification encoder (BERT, RoBERTa, DistilBERT, XLNet), read
// from a Hugging Face model folder's config.json, under one set of names whatever the family
// calls them (DistilBERT's "dim", XLNet's "d_model", ...). No torch here.
#pragma once

#include <string>

#include "common/encoder_family.h"
#include "common/status.h"

namespace augsweep {

struct EncoderConfig {
  EncoderFamily family = EncoderFamily::kBert;
  // The first of config.json "architectures" (e.g. "BertForSequenceClassification", "BertModel",
  // "RobertaForMaskedLM"); "" when absent. Only the family matters for loading: the
  // classification head is used when the weights hold one and initialised otherwise.
  std::string architecture;
  int vocab_size = 0;
  int hidden_size = 0;              // BERT hidden_size, DistilBERT dim, XLNet d_model
  int num_layers = 0;               // num_hidden_layers, n_layers, n_layer
  int num_heads = 0;                // num_attention_heads, n_heads, n_head
  int head_dim = 0;                 // hidden_size / num_heads; XLNet d_head
  int intermediate_size = 0;        // intermediate_size, hidden_dim, d_inner
  int max_position_embeddings = 0;  // 0 for XLNet (relative positions, no table)
  int type_vocab_size = 0;          // BERT/RoBERTa token types; 0 for DistilBERT and XLNet
  double layer_norm_eps = 1e-12;
  std::string activation = "gelu";  // hidden_act, activation, ff_activation: gelu, gelu_new, relu
  int pad_token_id = 0;
  double initializer_range = 0.02;  // std of the normal init of a head that is not stored
  // The labels of the classification head: len(id2label), or num_labels. A caller training a new
  // head with another number of themes overrides it before building the network.
  int num_labels = 2;

  // Dropout probabilities (used only while training).
  double hidden_dropout = 0.1;  // hidden_dropout_prob, dropout
  double attention_dropout =
      0.1;  // attention_probs_dropout_prob, attention_dropout (XLNet: dropout)
  // Before the classification head: classifier_dropout (falls back to hidden_dropout; BERT,
  // RoBERTa), seq_classif_dropout (DistilBERT), summary_last_dropout (XLNet).
  double classifier_dropout = 0.1;

  // DistilBERT: fixed sinusoidal position embeddings instead of learned ones.
  bool sinusoidal_positions = false;

  // XLNet only.
  std::string attn_type = "bi";       // only "bi" is supported (the "uni" LM setting is not)
  int clamp_len = -1;                 // relative distances are clamped to it when > 0
  bool untie_r = true;                // per-layer r_w/r_r/r_s biases (always stored per layer)
  std::string summary_type = "last";  // only "last" is supported
  bool summary_use_proj = true;
  std::string summary_activation = "tanh";  // "tanh" or "" (none)
};

// Reads `model_dir`/config.json. The family comes from "model_type" (or, when absent, from the
// first architecture's prefix). InvalidArgument names the file and field for anything missing,
// malformed or unsupported (XLNet attn_type "uni", bi_data, summary types other than "last", an
// unknown activation); NotFound when config.json is absent.
StatusOr<EncoderConfig> ReadEncoderConfig(const std::string& model_dir);

}  // namespace augsweep
