// Template::Parse and Template::Render: the interpreter that walks the syntax tree.
#include <algorithm>
#include <cstdint>
#include <utility>

#include "common/jinja/ast.h"
#include "common/jinja/builtins.h"
#include "common/jinja/lexer.h"
#include "common/jinja/operations.h"
#include "common/jinja/parser.h"
#include "common/jinja/template.h"

namespace augsweep::jinja {

struct Template::Parsed {
  std::string name;
  Body body;
};

namespace {

// Variables of one block of the template. As in Jinja, a for loop's body gets a new scope per
// iteration and a macro call one per call; if-blocks share their enclosing scope.
struct Scope {
  std::shared_ptr<Scope> parent;
  ValuePairs vars;

  const Value* Find(const std::string& name) const {
    for (const Scope* s = this; s != nullptr; s = s->parent.get()) {
      for (const auto& [k, v] : s->vars) {
        if (k == name) return &v;
      }
    }
    return nullptr;
  }
  void Set(const std::string& name, Value value) {
    for (auto& [k, v] : vars) {
      if (k == name) {
        v = std::move(value);
        return;
      }
    }
    vars.emplace_back(name, std::move(value));
  }
};
using ScopePtr = std::shared_ptr<Scope>;

enum class Flow { kNormal, kBreak, kContinue };

class Renderer {
 public:
  explicit Renderer(const std::string& name) : name_(name) {}

  Status Render(const Body& body, const ScopePtr& scope, std::string* out, Flow* flow) {
    for (const NodePtr& node : body) {
      AUGSWEEP_RETURN_IF_ERROR(Located(node->line, Step()));
      AUGSWEEP_RETURN_IF_ERROR(RenderNode(*node, scope, out, flow));
      if (out->size() > kMaxOutputBytes) {
        return Located(node->line,
                       InvalidArgumentError("the rendered text passes " +
                                            std::to_string(kMaxOutputBytes) + " bytes"));
      }
      if (*flow != Flow::kNormal) return OkStatus();
    }
    return OkStatus();
  }

 private:
  // One node rendered or one expression evaluated, counted against kMaxRenderSteps.
  Status Step() {
    if (++steps_ <= kMaxRenderSteps) return OkStatus();
    return InvalidArgumentError("rendering takes more than " + std::to_string(kMaxRenderSteps) +
                                " steps (a loop that does not end?)");
  }

  Status Located(int line, const Status& s) const {
    const std::string prefix = name_ + " line ";
    if (s.ok() || s.message().rfind(prefix, 0) == 0) return s;
    return Status(s.code(), prefix + std::to_string(line) + ": " + s.message());
  }

  Status Assign(const std::vector<std::string>& targets, const Value& value, Scope& scope,
                int line) {
    if (targets.size() == 1) {
      scope.Set(targets[0], value);
      return OkStatus();
    }
    StatusOr<ValueList> items = Iterate(value);
    if (!items.ok()) return Located(line, items.status());
    if (items->size() != targets.size()) {
      return Located(
          line, InvalidArgumentError("cannot unpack " + std::to_string(items->size()) +
                                     " values into " + std::to_string(targets.size()) + " names"));
    }
    for (size_t i = 0; i < targets.size(); ++i) scope.Set(targets[i], (*items)[i]);
    return OkStatus();
  }

  Status RenderNode(const Node& node, const ScopePtr& scope, std::string* out, Flow* flow) {
    switch (node.kind) {
      case Node::Kind::kText:
        *out += node.text;
        return OkStatus();
      case Node::Kind::kOutput: {
        AUGSWEEP_ASSIGN_OR_RETURN(Value v, Eval(*node.expr, scope));
        *out += v.Str();
        return OkStatus();
      }
      case Node::Kind::kIf: {
        for (const auto& [condition, body] : node.branches) {
          AUGSWEEP_ASSIGN_OR_RETURN(Value c, Eval(*condition, scope));
          if (c.Truthy()) return Render(body, scope, out, flow);
        }
        return Render(node.else_body, scope, out, flow);
      }
      case Node::Kind::kFor:
        return RenderFor(node, scope, out);
      case Node::Kind::kSet: {
        AUGSWEEP_ASSIGN_OR_RETURN(Value v, Eval(*node.expr, scope));
        if (node.attribute.empty()) return Assign(node.targets, v, *scope, node.line);
        const Value* ns = scope->Find(node.targets[0]);
        if (ns == nullptr || !ns->is_namespace()) {
          return Located(node.line,
                         InvalidArgumentError("can only set attributes of a namespace() object"));
        }
        // A namespace inside a namespace could hold itself: a cycle no printing would end.
        if (v.ContainsNamespace()) {
          return Located(node.line,
                         InvalidArgumentError("a namespace attribute cannot hold a namespace"));
        }
        ns->SetAttribute(node.attribute, std::move(v));
        return OkStatus();
      }
      case Node::Kind::kSetBlock: {
        std::string text;
        Flow inner = Flow::kNormal;
        AUGSWEEP_RETURN_IF_ERROR(Render(node.body, scope, &text, &inner));
        scope->Set(node.targets[0], Value::String(std::move(text)));
        return OkStatus();
      }
      case Node::Kind::kMacro:
        scope->Set(node.name, MakeMacro(node, scope));
        return OkStatus();
      case Node::Kind::kBreak:
        *flow = Flow::kBreak;
        return OkStatus();
      case Node::Kind::kContinue:
        *flow = Flow::kContinue;
        return OkStatus();
      case Node::Kind::kScope:
        return Render(node.body, scope, out, flow);
    }
    return OkStatus();
  }

  Status RenderFor(const Node& node, const ScopePtr& scope, std::string* out) {
    AUGSWEEP_ASSIGN_OR_RETURN(Value iterable, Eval(*node.expr, scope));
    StatusOr<ValueList> all = Iterate(iterable);
    if (!all.ok()) return Located(node.line, all.status());
    ValueList items;
    if (node.condition) {  // the inline `if` filters before loop.index and loop.length count
      for (const Value& item : *all) {
        auto probe = std::make_shared<Scope>();
        probe->parent = scope;
        AUGSWEEP_RETURN_IF_ERROR(Assign(node.targets, item, *probe, node.line));
        AUGSWEEP_ASSIGN_OR_RETURN(Value keep, Eval(*node.condition, probe));
        if (keep.Truthy()) items.push_back(item);
      }
    } else {
      items = std::move(*all);
    }
    const auto n = static_cast<int64_t>(items.size());
    for (int64_t i = 0; i < n; ++i) {
      auto iteration = std::make_shared<Scope>();
      iteration->parent = scope;
      AUGSWEEP_RETURN_IF_ERROR(
          Assign(node.targets, items[static_cast<size_t>(i)], *iteration, node.line));
      iteration->Set("loop", LoopObject(items, i));
      Flow flow = Flow::kNormal;
      AUGSWEEP_RETURN_IF_ERROR(Render(node.body, iteration, out, &flow));
      if (flow == Flow::kBreak) break;
    }
    if (n == 0) {
      Flow flow = Flow::kNormal;
      return Render(node.else_body, scope, out, &flow);
    }
    return OkStatus();
  }

  static Value LoopObject(const ValueList& items, int64_t i) {
    const auto n = static_cast<int64_t>(items.size());
    const auto at = static_cast<size_t>(i);
    Value previous = i > 0 ? items[at - 1] : Value::Undefined("there is no previous item");
    Value next = i + 1 < n ? items[at + 1] : Value::Undefined("there is no next item");
    Value cycle = Value::Func("loop.cycle", [i](CallArgs& args) -> StatusOr<Value> {
      if (args.positional.empty()) return InvalidArgumentError("no items for cycling given");
      return args.positional[static_cast<size_t>(i) % args.positional.size()];
    });
    return Value::Dict({{"index", Value::Int(i + 1)},
                        {"index0", Value::Int(i)},
                        {"revindex", Value::Int(n - i)},
                        {"revindex0", Value::Int(n - i - 1)},
                        {"first", Value::Bool(i == 0)},
                        {"last", Value::Bool(i == n - 1)},
                        {"length", Value::Int(n)},
                        {"depth", Value::Int(1)},
                        {"depth0", Value::Int(0)},
                        {"previtem", previous},
                        {"nextitem", next},
                        {"cycle", cycle}});
  }

  Value MakeMacro(const Node& node, const ScopePtr& scope) {
    const Node* macro = &node;
    // Weak: the macro is a variable of that scope, and a strong pointer would be a cycle.
    std::weak_ptr<Scope> defined_in = scope;
    return Value::Func(node.name, [this, macro, defined_in](CallArgs& args) -> StatusOr<Value> {
      if (args.positional.size() > macro->params.size()) {
        return InvalidArgumentError("macro '" + macro->name + "' takes not more than " +
                                    std::to_string(macro->params.size()) + " argument(s)");
      }
      auto call = std::make_shared<Scope>();
      call->parent = defined_in.lock();
      if (!call->parent)
        return InvalidArgumentError("macro '" + macro->name + "' outlived its scope");
      for (size_t i = 0; i < macro->params.size(); ++i) {
        const auto& [param, fallback] = macro->params[i];
        Value value = Value::Undefined("parameter '" + param + "' was not provided");
        if (i < args.positional.size()) {
          value = args.positional[i];
        } else if (fallback) {
          AUGSWEEP_ASSIGN_OR_RETURN(value, Eval(*fallback, call));
        }
        call->Set(param, value);
      }
      for (auto& keyword : args.keyword) {
        const std::string& key = keyword.first;
        const bool known = std::any_of(macro->params.begin(), macro->params.end(),
                                       [&](const auto& p) { return p.first == key; });
        if (!known) {
          return InvalidArgumentError("macro '" + macro->name + "' takes no keyword argument '" +
                                      key + "'");
        }
        call->Set(key, keyword.second);
      }
      if (call_depth_ >= kMaxCallDepth) {
        return InvalidArgumentError("macro '" + macro->name + "' called more than " +
                                    std::to_string(kMaxCallDepth) +
                                    " deep (a recursion that "
                                    "does not end?)");
      }
      ++call_depth_;
      std::string text;
      Flow flow = Flow::kNormal;
      const Status rendered = Render(macro->body, call, &text, &flow);
      --call_depth_;
      AUGSWEEP_RETURN_IF_ERROR(rendered);
      return Value::String(std::move(text));
    });
  }

  StatusOr<Value> Lookup(const std::string& name, const ScopePtr& scope) const {
    if (const Value* v = scope->Find(name)) return *v;
    return FindGlobal(name);
  }

  StatusOr<CallArgs> EvalArgs(const Expr& e, size_t first, const ScopePtr& scope) {
    CallArgs args;
    for (size_t i = first; i < e.args.size(); ++i) {
      AUGSWEEP_ASSIGN_OR_RETURN(Value v, Eval(*e.args[i], scope));
      args.positional.push_back(std::move(v));
    }
    for (const auto& [key, expr] : e.keyword) {
      AUGSWEEP_ASSIGN_OR_RETURN(Value v, Eval(*expr, scope));
      args.keyword.emplace_back(key, std::move(v));
    }
    return args;
  }

  StatusOr<Value> Eval(const Expr& e, const ScopePtr& scope) {
    AUGSWEEP_RETURN_IF_ERROR(Located(e.line, Step()));
    StatusOr<Value> v = EvalUnlocated(e, scope);
    if (!v.ok()) return Located(e.line, v.status());
    if (v->depth() > kMaxValueDepth) {
      return Located(e.line, InvalidArgumentError("a list or dict nested more than " +
                                                  std::to_string(kMaxValueDepth) + " deep"));
    }
    if (v->is_string() && v->string_value().size() > kMaxOutputBytes) {
      return Located(e.line, InvalidArgumentError("a string longer than " +
                                                  std::to_string(kMaxOutputBytes) + " bytes"));
    }
    return v;
  }

  StatusOr<Value> EvalUnlocated(const Expr& e, const ScopePtr& scope) {
    using Kind = Expr::Kind;
    switch (e.kind) {
      case Kind::kLiteral:
        return e.value;
      case Kind::kName:
        return Lookup(e.name, scope);
      case Kind::kList:
      case Kind::kTuple: {
        ValueList items;
        for (const ExprPtr& item : e.args) {
          AUGSWEEP_ASSIGN_OR_RETURN(Value v, Eval(*item, scope));
          items.push_back(std::move(v));
        }
        if (e.kind == Kind::kTuple) return Value::Tuple(std::move(items));
        return Value::List(std::move(items));
      }
      case Kind::kDict: {
        ValuePairs items;
        for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
          AUGSWEEP_ASSIGN_OR_RETURN(Value key, Eval(*e.args[i], scope));
          if (!key.is_string()) return InvalidArgumentError("dict keys must be strings");
          AUGSWEEP_ASSIGN_OR_RETURN(Value value, Eval(*e.args[i + 1], scope));
          auto it = std::find_if(items.begin(), items.end(),
                                 [&](const auto& p) { return p.first == key.string_value(); });
          if (it != items.end()) {
            it->second = std::move(value);
          } else {
            items.emplace_back(key.string_value(), std::move(value));
          }
        }
        return Value::Dict(std::move(items));
      }
      case Kind::kGetAttr: {
        AUGSWEEP_ASSIGN_OR_RETURN(Value obj, Eval(*e.args[0], scope));
        return GetAttribute(obj, e.name);
      }
      case Kind::kGetItem: {
        AUGSWEEP_ASSIGN_OR_RETURN(Value obj, Eval(*e.args[0], scope));
        AUGSWEEP_ASSIGN_OR_RETURN(Value key, Eval(*e.args[1], scope));
        return GetItem(obj, key);
      }
      case Kind::kSlice: {
        AUGSWEEP_ASSIGN_OR_RETURN(Value obj, Eval(*e.args[0], scope));
        Value parts[3];
        for (int i = 0; i < 3; ++i) {
          if (e.args[static_cast<size_t>(i) + 1]) {
            AUGSWEEP_ASSIGN_OR_RETURN(parts[i], Eval(*e.args[static_cast<size_t>(i) + 1], scope));
          }
        }
        return Slice(obj, parts[0], parts[1], parts[2]);
      }
      case Kind::kCall: {
        AUGSWEEP_ASSIGN_OR_RETURN(Value callee, Eval(*e.args[0], scope));
        AUGSWEEP_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e, 1, scope));
        return CallValue(callee, args);
      }
      case Kind::kFilter: {
        AUGSWEEP_ASSIGN_OR_RETURN(Value input, Eval(*e.args[0], scope));
        AUGSWEEP_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e, 1, scope));
        return FindFilter(e.name)(input, args);  // names checked at parse time
      }
      case Kind::kTest: {
        AUGSWEEP_ASSIGN_OR_RETURN(Value input, Eval(*e.args[0], scope));
        AUGSWEEP_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e, 1, scope));
        AUGSWEEP_ASSIGN_OR_RETURN(bool pass, FindTest(e.name)(input, args));
        return Value::Bool(pass != e.negated);
      }
      case Kind::kNegate: {
        AUGSWEEP_ASSIGN_OR_RETURN(Value v, Eval(*e.args[0], scope));
        if (v.is_float()) return Value::Float(-v.float_value());
        if (v.is_int() || v.is_bool()) {
          if (v.int_value() == INT64_MIN)
            return InvalidArgumentError("integer overflow in unary '-' (past 64 bits)");
          return Value::Int(-v.int_value());
        }
        if (v.is_undefined()) return UndefinedError(v);
        return InvalidArgumentError("bad operand type for unary -: '" + std::string(v.TypeName()) +
                                    "'");
      }
      case Kind::kBinary: {
        AUGSWEEP_ASSIGN_OR_RETURN(Value a, Eval(*e.args[0], scope));
        AUGSWEEP_ASSIGN_OR_RETURN(Value b, Eval(*e.args[1], scope));
        return Arithmetic(e.name, a, b);
      }
      case Kind::kCompare: {
        AUGSWEEP_ASSIGN_OR_RETURN(Value left, Eval(*e.args[0], scope));
        for (size_t i = 0; i < e.ops.size(); ++i) {
          AUGSWEEP_ASSIGN_OR_RETURN(Value right, Eval(*e.args[i + 1], scope));
          AUGSWEEP_ASSIGN_OR_RETURN(bool holds, Compare(e.ops[i], left, right));
          if (!holds) return Value::Bool(false);
          left = std::move(right);
        }
        return Value::Bool(true);
      }
      case Kind::kAnd:
      case Kind::kOr: {  // Python's: the deciding operand itself, not a bool
        AUGSWEEP_ASSIGN_OR_RETURN(Value a, Eval(*e.args[0], scope));
        if (a.Truthy() == (e.kind == Kind::kOr)) return a;
        return Eval(*e.args[1], scope);
      }
      case Kind::kNot: {
        AUGSWEEP_ASSIGN_OR_RETURN(Value v, Eval(*e.args[0], scope));
        return Value::Bool(!v.Truthy());
      }
      case Kind::kCondition: {
        AUGSWEEP_ASSIGN_OR_RETURN(Value c, Eval(*e.args[1], scope));
        if (c.Truthy()) return Eval(*e.args[0], scope);
        if (e.args[2]) return Eval(*e.args[2], scope);
        return Value::Undefined(
            "the inline if-expression evaluated to false and no else "
            "section was defined.");
      }
    }
    return InternalError("unknown expression");
  }

  const std::string& name_;
  int64_t steps_ = 0;
  int call_depth_ = 0;
};

// Every filter and test a template names must exist: told at parse time, not when a rarely
// taken branch first runs.
Status CheckExpr(const Expr* e, const std::string& name) {
  if (e == nullptr) return OkStatus();
  auto fail = [&](const std::string& what) {
    return InvalidArgumentError(name + " line " + std::to_string(e->line) + ": " + what);
  };
  if (e->kind == Expr::Kind::kFilter && FindFilter(e->name) == nullptr) {
    return fail(IsKnownUnsupportedFilter(e->name)
                    ? "the filter '" + e->name + "' is not supported by augsweep's Jinja subset"
                    : "no filter named '" + e->name + "'");
  }
  if (e->kind == Expr::Kind::kTest && FindTest(e->name) == nullptr) {
    return fail("no test named '" + e->name + "'");
  }
  for (const ExprPtr& a : e->args) AUGSWEEP_RETURN_IF_ERROR(CheckExpr(a.get(), name));
  for (const auto& [k, a] : e->keyword) AUGSWEEP_RETURN_IF_ERROR(CheckExpr(a.get(), name));
  return OkStatus();
}

Status CheckBody(const Body& body, const std::string& name) {
  for (const NodePtr& n : body) {
    AUGSWEEP_RETURN_IF_ERROR(CheckExpr(n->expr.get(), name));
    AUGSWEEP_RETURN_IF_ERROR(CheckExpr(n->condition.get(), name));
    for (const auto& [condition, branch] : n->branches) {
      AUGSWEEP_RETURN_IF_ERROR(CheckExpr(condition.get(), name));
      AUGSWEEP_RETURN_IF_ERROR(CheckBody(branch, name));
    }
    for (const auto& [param, fallback] : n->params) {
      AUGSWEEP_RETURN_IF_ERROR(CheckExpr(fallback.get(), name));
    }
    AUGSWEEP_RETURN_IF_ERROR(CheckBody(n->body, name));
    AUGSWEEP_RETURN_IF_ERROR(CheckBody(n->else_body, name));
  }
  return OkStatus();
}

}  // namespace

StatusOr<Template> Template::Parse(std::string_view source, std::string name) {
  auto parsed = std::make_shared<Parsed>();
  parsed->name = std::move(name);
  AUGSWEEP_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(source, parsed->name));
  AUGSWEEP_ASSIGN_OR_RETURN(parsed->body, ParseTemplate(std::move(tokens), parsed->name));
  AUGSWEEP_RETURN_IF_ERROR(CheckBody(parsed->body, parsed->name));
  return Template(std::move(parsed));
}

StatusOr<std::string> Template::Render(const ValuePairs& variables) const {
  auto root = std::make_shared<Scope>();
  root->vars = variables;
  std::string out;
  Flow flow = Flow::kNormal;
  Renderer renderer(parsed_->name);
  AUGSWEEP_RETURN_IF_ERROR(renderer.Render(parsed_->body, root, &out, &flow));
  return out;
}

}  // namespace augsweep::jinja
