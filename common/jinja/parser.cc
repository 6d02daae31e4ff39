#include "common/jinja/parser.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "common/jinja/template.h"

namespace augsweep::jinja {
namespace {

using Type = Token::Type;

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::string& name)
      : tokens_(std::move(tokens)), name_(name) {}

  StatusOr<Body> Run() {
    std::string end_tag;
    AUGSWEEP_ASSIGN_OR_RETURN(Body body, ParseBody({}, &end_tag));
    return body;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    const size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool IsOp(const char* op, size_t ahead = 0) const {
    return Peek(ahead).type == Type::kOperator && Peek(ahead).text == op;
  }
  bool IsName(const char* word, size_t ahead = 0) const {
    return Peek(ahead).type == Type::kName && Peek(ahead).text == word;
  }
  bool SkipOp(const char* op) {
    if (!IsOp(op)) return false;
    Next();
    return true;
  }
  bool SkipName(const char* word) {
    if (!IsName(word)) return false;
    Next();
    return true;
  }

  // Nesting levels taken for the rest of a parse function: blocks and brackets inside each other,
  // and each link of an operator, filter or subscript chain (it wraps what came before). Given
  // back on return. Bounding it bounds the syntax tree's depth, and with it the recursion of
  // parsing, rendering and freeing the tree.
  class Nesting {
   public:
    explicit Nesting(Parser* parser) : parser_(parser) {}
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;
    ~Nesting() { parser_->depth_ -= taken_; }
    Status Deeper() {
      ++taken_;
      if (++parser_->depth_ <= kMaxNesting) return OkStatus();
      return parser_->Error("nested more than " + std::to_string(kMaxNesting) + " deep");
    }

   private:
    Parser* parser_;
    int taken_ = 0;
  };

  Status Error(const std::string& what, int line = 0) const {
    return InvalidArgumentError(name_ + " line " + std::to_string(line > 0 ? line : Peek().line) +
                                ": " + what);
  }
  static std::string Describe(const Token& t) {
    switch (t.type) {
      case Type::kEnd:
        return "end of template";
      case Type::kBlockEnd:
        return "'%}'";
      case Type::kVariableEnd:
        return "'}}'";
      case Type::kBlockBegin:
        return "'{%'";
      case Type::kVariableBegin:
        return "'{{'";
      case Type::kData:
        return "text";
      case Type::kString:
        return "a string";
      case Type::kInteger:
      case Type::kFloat:
        return "a number";
      default:
        return "'" + t.text + "'";
    }
  }
  Status Unexpected(const std::string& expected) const {
    return Error("unexpected " + Describe(Peek()) + ", expected " + expected);
  }
  Status ExpectOp(const char* op) {
    if (!SkipOp(op)) return Unexpected(std::string("'") + op + "'");
    return OkStatus();
  }
  Status ExpectBlockEnd() {
    if (Peek().type != Type::kBlockEnd) return Unexpected("'%}'");
    Next();
    return OkStatus();
  }
  StatusOr<std::string> ExpectName(const std::string& what) {
    if (Peek().type != Type::kName) return Unexpected(what);
    return Next().text;
  }

  static ExprPtr MakeExpr(Expr::Kind kind, int line) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = line;
    return e;
  }

  // Statements until a block tag named in `ends` (consumed up to its name, the name returned in
  // `end_tag`); with no `ends`, until the end of the template.
  StatusOr<Body> ParseBody(const std::set<std::string>& ends, std::string* end_tag) {
    Nesting nesting(this);
    AUGSWEEP_RETURN_IF_ERROR(nesting.Deeper());
    Body body;
    while (true) {
      const Token& t = Peek();
      if (t.type == Type::kEnd) {
        if (ends.empty()) return body;
        std::string names;
        for (const std::string& e : ends) names += (names.empty() ? "'" : " or '") + e + "'";
        return Error("unexpected end of template, expected " + names);
      }
      if (t.type == Type::kData) {
        auto n = std::make_unique<Node>();
        n->kind = Node::Kind::kText;
        n->line = t.line;
        n->text = Next().text;
        body.push_back(std::move(n));
        continue;
      }
      if (t.type == Type::kVariableBegin) {
        Next();
        auto n = std::make_unique<Node>();
        n->kind = Node::Kind::kOutput;
        n->line = Peek().line;
        AUGSWEEP_ASSIGN_OR_RETURN(n->expr, ParseTuple(true));
        if (Peek().type != Type::kVariableEnd) return Unexpected("'}}'");
        Next();
        body.push_back(std::move(n));
        continue;
      }
      if (t.type != Type::kBlockBegin) return Unexpected("text or a tag");
      Next();
      if (Peek().type != Type::kName) return Unexpected("a tag name");
      const std::string tag = Peek().text;
      if (ends.count(tag) > 0) {
        Next();
        *end_tag = tag;
        return body;
      }
      AUGSWEEP_ASSIGN_OR_RETURN(NodePtr node, ParseStatement());
      if (node) body.push_back(std::move(node));
    }
  }

  StatusOr<NodePtr> ParseStatement() {
    const int line = Peek().line;
    const std::string tag = Next().text;
    auto n = std::make_unique<Node>();
    n->line = line;
    std::string end_tag;
    if (tag == "if") {
      n->kind = Node::Kind::kIf;
      while (true) {
        AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr condition, ParseExpression(true));
        AUGSWEEP_RETURN_IF_ERROR(ExpectBlockEnd());
        AUGSWEEP_ASSIGN_OR_RETURN(Body body, ParseBody({"elif", "else", "endif"}, &end_tag));
        n->branches.emplace_back(std::move(condition), std::move(body));
        if (end_tag != "elif") break;
      }
      if (end_tag == "else") {
        AUGSWEEP_RETURN_IF_ERROR(ExpectBlockEnd());
        AUGSWEEP_ASSIGN_OR_RETURN(n->else_body, ParseBody({"endif"}, &end_tag));
      }
      AUGSWEEP_RETURN_IF_ERROR(ExpectBlockEnd());
      return n;
    }
    if (tag == "for") {
      n->kind = Node::Kind::kFor;
      AUGSWEEP_ASSIGN_OR_RETURN(n->targets, ParseTargets());
      if (!SkipName("in")) return Unexpected("'in'");
      // No inline if/else here: an `if` after the iterable filters the loop.
      AUGSWEEP_ASSIGN_OR_RETURN(n->expr, ParseTuple(false));
      if (SkipName("if")) {
        AUGSWEEP_ASSIGN_OR_RETURN(n->condition, ParseExpression(true));
      }
      if (IsName("recursive")) return Error("recursive loops are not supported");
      AUGSWEEP_RETURN_IF_ERROR(ExpectBlockEnd());
      AUGSWEEP_ASSIGN_OR_RETURN(n->body, ParseBody({"else", "endfor"}, &end_tag));
      if (end_tag == "else") {
        AUGSWEEP_RETURN_IF_ERROR(ExpectBlockEnd());
        AUGSWEEP_ASSIGN_OR_RETURN(n->else_body, ParseBody({"endfor"}, &end_tag));
      }
      AUGSWEEP_RETURN_IF_ERROR(ExpectBlockEnd());
      return n;
    }
    if (tag == "set") {
      AUGSWEEP_ASSIGN_OR_RETURN(std::string first, ExpectName("a variable name"));
      n->targets.push_back(first);
      if (SkipOp(".")) {
        AUGSWEEP_ASSIGN_OR_RETURN(n->attribute, ExpectName("an attribute name"));
      } else {
        while (SkipOp(",")) {
          AUGSWEEP_ASSIGN_OR_RETURN(std::string more, ExpectName("a variable name"));
          n->targets.push_back(more);
        }
      }
      if (Peek().type == Type::kBlockEnd && n->targets.size() == 1 && n->attribute.empty()) {
        Next();
        n->kind = Node::Kind::kSetBlock;
        AUGSWEEP_ASSIGN_OR_RETURN(n->body, ParseBody({"endset"}, &end_tag));
        AUGSWEEP_RETURN_IF_ERROR(ExpectBlockEnd());
        return n;
      }
      n->kind = Node::Kind::kSet;
      AUGSWEEP_RETURN_IF_ERROR(ExpectOp("="));
      AUGSWEEP_ASSIGN_OR_RETURN(n->expr, ParseTuple(true));
      AUGSWEEP_RETURN_IF_ERROR(ExpectBlockEnd());
      return n;
    }
    if (tag == "macro") {
      n->kind = Node::Kind::kMacro;
      AUGSWEEP_ASSIGN_OR_RETURN(n->name, ExpectName("a macro name"));
      AUGSWEEP_RETURN_IF_ERROR(ExpectOp("("));
      while (!SkipOp(")")) {
        if (!n->params.empty()) AUGSWEEP_RETURN_IF_ERROR(ExpectOp(","));
        if (SkipOp(")")) break;
        AUGSWEEP_ASSIGN_OR_RETURN(std::string param, ExpectName("a parameter name"));
        ExprPtr default_value;
        if (SkipOp("=")) {
          AUGSWEEP_ASSIGN_OR_RETURN(default_value, ParseExpression(true));
        }
        n->params.emplace_back(std::move(param), std::move(default_value));
      }
      AUGSWEEP_RETURN_IF_ERROR(ExpectBlockEnd());
      AUGSWEEP_ASSIGN_OR_RETURN(n->body, ParseBody({"endmacro"}, &end_tag));
      AUGSWEEP_RETURN_IF_ERROR(ExpectBlockEnd());
      return n;
    }
    if (tag == "break" || tag == "continue") {
      n->kind = tag == "break" ? Node::Kind::kBreak : Node::Kind::kContinue;
      AUGSWEEP_RETURN_IF_ERROR(ExpectBlockEnd());
      return n;
    }
    if (tag == "generation") {  // transformers' AssistantTracker: marks, renders in place
      n->kind = Node::Kind::kScope;
      AUGSWEEP_RETURN_IF_ERROR(ExpectBlockEnd());
      AUGSWEEP_ASSIGN_OR_RETURN(n->body, ParseBody({"endgeneration"}, &end_tag));
      AUGSWEEP_RETURN_IF_ERROR(ExpectBlockEnd());
      return n;
    }
    static const std::set<std::string> kKnown = {
        "block", "call",   "extends", "filter",     "from",         "import", "include",
        "raw",   "trans",  "with",    "autoescape", "do",           "elif",   "else",
        "endif", "endfor", "endset",  "endmacro",   "endgeneration"};
    if (kKnown.count(tag) > 0) {
      return Error("the '" + tag + "' tag is " +
                       (tag.rfind("end", 0) == 0 || tag == "elif" || tag == "else"
                            ? "not inside the block it closes"
                            : "not supported by augsweep's Jinja subset"),
                   line);
    }
    return Error("unknown tag '" + tag + "'", line);
  }

  // Loop targets: a name or names separated by commas (optionally in parentheses).
  StatusOr<std::vector<std::string>> ParseTargets() {
    std::vector<std::string> names;
    const bool parens = SkipOp("(");
    do {
      AUGSWEEP_ASSIGN_OR_RETURN(std::string name, ExpectName("a loop variable"));
      names.push_back(std::move(name));
    } while (SkipOp(","));
    if (parens) AUGSWEEP_RETURN_IF_ERROR(ExpectOp(")"));
    return names;
  }

  // An expression, or several separated by commas (a tuple).
  StatusOr<ExprPtr> ParseTuple(bool with_condition) {
    const int line = Peek().line;
    AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr first, ParseExpression(with_condition));
    if (!IsOp(",")) return first;
    auto tuple = MakeExpr(Expr::Kind::kTuple, line);
    tuple->args.push_back(std::move(first));
    while (SkipOp(",")) {
      if (Peek().type == Type::kBlockEnd || Peek().type == Type::kVariableEnd) break;
      AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr more, ParseExpression(with_condition));
      tuple->args.push_back(std::move(more));
    }
    return tuple;
  }

  StatusOr<ExprPtr> ParseExpression(bool with_condition) {
    Nesting nesting(this);
    AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr expr, ParseOr());
    if (!with_condition) return expr;
    while (IsName("if")) {
      AUGSWEEP_RETURN_IF_ERROR(nesting.Deeper());
      const int line = Next().line;
      auto cond = MakeExpr(Expr::Kind::kCondition, line);
      AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr test, ParseOr());
      ExprPtr otherwise;
      if (SkipName("else")) {
        AUGSWEEP_ASSIGN_OR_RETURN(otherwise, ParseExpression(true));
      }
      cond->args.push_back(std::move(expr));
      cond->args.push_back(std::move(test));
      cond->args.push_back(std::move(otherwise));
      expr = std::move(cond);
    }
    return expr;
  }

  StatusOr<ExprPtr> ParseOr() {
    Nesting nesting(this);
    AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr left, ParseAnd());
    while (IsName("or")) {
      AUGSWEEP_RETURN_IF_ERROR(nesting.Deeper());
      auto e = MakeExpr(Expr::Kind::kOr, Next().line);
      AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr right, ParseAnd());
      e->args.push_back(std::move(left));
      e->args.push_back(std::move(right));
      left = std::move(e);
    }
    return left;
  }

  StatusOr<ExprPtr> ParseAnd() {
    Nesting nesting(this);
    AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr left, ParseNot());
    while (IsName("and")) {
      AUGSWEEP_RETURN_IF_ERROR(nesting.Deeper());
      auto e = MakeExpr(Expr::Kind::kAnd, Next().line);
      AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr right, ParseNot());
      e->args.push_back(std::move(left));
      e->args.push_back(std::move(right));
      left = std::move(e);
    }
    return left;
  }

  StatusOr<ExprPtr> ParseNot() {
    Nesting nesting(this);
    if (IsName("not")) {
      AUGSWEEP_RETURN_IF_ERROR(nesting.Deeper());
      auto e = MakeExpr(Expr::Kind::kNot, Next().line);
      AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr operand, ParseNot());
      e->args.push_back(std::move(operand));
      return e;
    }
    return ParseCompare();
  }

  StatusOr<ExprPtr> ParseCompare() {
    const int line = Peek().line;
    AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr first, ParseMath1());
    ExprPtr compare;
    while (true) {
      std::string op;
      if (Peek().type == Type::kOperator &&
          (Peek().text == "==" || Peek().text == "!=" || Peek().text == "<" || Peek().text == ">" ||
           Peek().text == "<=" || Peek().text == ">=")) {
        op = Next().text;
      } else if (IsName("in")) {
        Next();
        op = "in";
      } else if (IsName("not") && IsName("in", 1)) {
        Next();
        Next();
        op = "notin";
      } else {
        break;
      }
      if (!compare) {
        compare = MakeExpr(Expr::Kind::kCompare, line);
        compare->args.push_back(std::move(first));
      }
      AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr right, ParseMath1());
      compare->ops.push_back(op);
      compare->args.push_back(std::move(right));
    }
    return compare ? std::move(compare) : std::move(first);
  }

  // Left-associative binary operators `ops` over operands parsed by `operand`.
  template <typename F>
  StatusOr<ExprPtr> ParseBinary(std::initializer_list<const char*> ops, F operand) {
    Nesting nesting(this);
    AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr left, (this->*operand)());
    while (true) {
      const char* match = nullptr;
      for (const char* op : ops) {
        if (IsOp(op)) match = op;
      }
      if (match == nullptr) return left;
      AUGSWEEP_RETURN_IF_ERROR(nesting.Deeper());
      auto e = MakeExpr(Expr::Kind::kBinary, Next().line);
      e->name = match;
      AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr right, (this->*operand)());
      e->args.push_back(std::move(left));
      e->args.push_back(std::move(right));
      left = std::move(e);
    }
  }
  StatusOr<ExprPtr> ParseMath1() { return ParseBinary({"+", "-"}, &Parser::ParseConcat); }
  StatusOr<ExprPtr> ParseConcat() { return ParseBinary({"~"}, &Parser::ParseMath2); }
  StatusOr<ExprPtr> ParseMath2() { return ParseBinary({"*", "/", "//", "%"}, &Parser::ParsePow); }
  StatusOr<ExprPtr> ParsePow() { return ParseBinary({"**"}, &Parser::ParseUnaryFiltered); }
  StatusOr<ExprPtr> ParseUnaryFiltered() { return ParseUnary(true); }

  StatusOr<ExprPtr> ParseUnary(bool with_filter) {
    Nesting nesting(this);
    if (IsOp("-") || IsOp("+")) AUGSWEEP_RETURN_IF_ERROR(nesting.Deeper());
    ExprPtr node;
    if (IsOp("-")) {
      node = MakeExpr(Expr::Kind::kNegate, Next().line);
      AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr operand, ParseUnary(false));
      node->args.push_back(std::move(operand));
    } else if (SkipOp("+")) {
      AUGSWEEP_ASSIGN_OR_RETURN(node, ParseUnary(false));
    } else {
      AUGSWEEP_ASSIGN_OR_RETURN(node, ParsePrimary());
    }
    AUGSWEEP_ASSIGN_OR_RETURN(node, ParsePostfix(std::move(node)));
    if (with_filter) {
      AUGSWEEP_ASSIGN_OR_RETURN(node, ParseFilterExpr(std::move(node)));
    }
    return node;
  }

  StatusOr<ExprPtr> ParsePrimary() {
    Nesting nesting(this);  // brackets: their contents parse one level deeper
    AUGSWEEP_RETURN_IF_ERROR(nesting.Deeper());
    const Token& t = Peek();
    const int line = t.line;
    if (t.type == Type::kName) {
      const std::string word = Next().text;
      auto e = MakeExpr(Expr::Kind::kLiteral, line);
      if (word == "true" || word == "True") {
        e->value = Value::Bool(true);
      } else if (word == "false" || word == "False") {
        e->value = Value::Bool(false);
      } else if (word == "none" || word == "None") {
        e->value = Value::None();
      } else {
        e->kind = Expr::Kind::kName;
        e->name = word;
      }
      return e;
    }
    if (t.type == Type::kString) {
      std::string text;
      while (Peek().type == Type::kString) text += Next().text;  // adjacent literals join
      auto e = MakeExpr(Expr::Kind::kLiteral, line);
      e->value = Value::String(std::move(text));
      return e;
    }
    if (t.type == Type::kInteger || t.type == Type::kFloat) {
      auto e = MakeExpr(Expr::Kind::kLiteral, line);
      e->value = t.type == Type::kInteger ? Value::Int(t.integer) : Value::Float(t.number);
      Next();
      return e;
    }
    if (SkipOp("(")) {
      if (SkipOp(")")) return MakeExpr(Expr::Kind::kTuple, line);
      AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr first, ParseExpression(true));
      if (SkipOp(")")) return first;
      auto tuple = MakeExpr(Expr::Kind::kTuple, line);
      tuple->args.push_back(std::move(first));
      while (SkipOp(",")) {
        if (IsOp(")")) break;
        AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr more, ParseExpression(true));
        tuple->args.push_back(std::move(more));
      }
      AUGSWEEP_RETURN_IF_ERROR(ExpectOp(")"));
      return tuple;
    }
    if (SkipOp("[")) {
      auto list = MakeExpr(Expr::Kind::kList, line);
      while (!SkipOp("]")) {
        if (!list->args.empty()) AUGSWEEP_RETURN_IF_ERROR(ExpectOp(","));
        if (SkipOp("]")) break;
        AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr item, ParseExpression(true));
        list->args.push_back(std::move(item));
      }
      return list;
    }
    if (SkipOp("{")) {
      // args hold keys and values alternately.
      auto dict = MakeExpr(Expr::Kind::kDict, line);
      while (!SkipOp("}")) {
        if (!dict->args.empty()) AUGSWEEP_RETURN_IF_ERROR(ExpectOp(","));
        if (SkipOp("}")) break;
        AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr key, ParseExpression(true));
        AUGSWEEP_RETURN_IF_ERROR(ExpectOp(":"));
        AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(true));
        dict->args.push_back(std::move(key));
        dict->args.push_back(std::move(value));
      }
      return dict;
    }
    return Unexpected("an expression");
  }

  StatusOr<ExprPtr> ParsePostfix(ExprPtr node) {
    Nesting nesting(this);
    while (true) {
      if (IsOp(".") || IsOp("[") || IsOp("(")) AUGSWEEP_RETURN_IF_ERROR(nesting.Deeper());
      const int line = Peek().line;
      if (SkipOp(".")) {
        auto e = MakeExpr(Expr::Kind::kGetAttr, line);
        if (Peek().type == Type::kName) {
          e->name = Next().text;
        } else if (Peek().type == Type::kInteger) {  // a.0 is a[0]
          e->kind = Expr::Kind::kGetItem;
          auto index = MakeExpr(Expr::Kind::kLiteral, line);
          index->value = Value::Int(Next().integer);
          e->args.push_back(std::move(node));
          e->args.push_back(std::move(index));
          node = std::move(e);
          continue;
        } else {
          return Unexpected("an attribute name");
        }
        e->args.push_back(std::move(node));
        node = std::move(e);
      } else if (SkipOp("[")) {
        AUGSWEEP_ASSIGN_OR_RETURN(node, ParseSubscript(std::move(node), line));
      } else if (IsOp("(")) {
        AUGSWEEP_ASSIGN_OR_RETURN(node, ParseCall(std::move(node), Expr::Kind::kCall, ""));
      } else {
        return node;
      }
    }
  }

  StatusOr<ExprPtr> ParseSubscript(ExprPtr target, int line) {
    ExprPtr parts[3];
    int part = 0;
    bool slice = false;
    while (true) {
      if (IsOp(":")) {
        Next();
        slice = true;
        if (++part > 2) return Error("a slice has at most three parts");
        continue;
      }
      if (IsOp("]")) {
        Next();
        break;
      }
      if (parts[part]) return Unexpected("':' or ']'");
      AUGSWEEP_ASSIGN_OR_RETURN(parts[part], ParseExpression(true));
    }
    if (!slice) {
      if (!parts[0]) return Error("empty subscript");
      auto e = MakeExpr(Expr::Kind::kGetItem, line);
      e->args.push_back(std::move(target));
      e->args.push_back(std::move(parts[0]));
      return e;
    }
    auto e = MakeExpr(Expr::Kind::kSlice, line);
    e->args.push_back(std::move(target));
    for (ExprPtr& p : parts) e->args.push_back(std::move(p));
    return e;
  }

  // `(args, name=value)` after a callee, a filter or a test; kind says which.
  StatusOr<ExprPtr> ParseCall(ExprPtr target, Expr::Kind kind, const std::string& name) {
    auto e = MakeExpr(kind, Peek().line);
    e->name = name;
    e->args.push_back(std::move(target));
    if (!SkipOp("(")) return e;
    bool first = true;
    while (!SkipOp(")")) {
      if (!first) AUGSWEEP_RETURN_IF_ERROR(ExpectOp(","));
      first = false;
      if (SkipOp(")")) break;
      if (IsOp("*") || IsOp("**")) return Error("*args and **kwargs are not supported");
      if (Peek().type == Type::kName && IsOp("=", 1)) {
        std::string key = Next().text;
        Next();
        AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(true));
        e->keyword.emplace_back(std::move(key), std::move(value));
        continue;
      }
      if (!e->keyword.empty()) return Error("a positional argument follows a keyword argument");
      AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr arg, ParseExpression(true));
      e->args.push_back(std::move(arg));
    }
    return e;
  }

  StatusOr<std::string> DottedName() {
    AUGSWEEP_ASSIGN_OR_RETURN(std::string name, ExpectName("a filter or test name"));
    while (IsOp(".") && Peek(1).type == Type::kName) {
      Next();
      name += "." + Next().text;
    }
    return name;
  }

  StatusOr<ExprPtr> ParseFilterExpr(ExprPtr node) {
    Nesting nesting(this);
    while (true) {
      if (IsOp("|") || IsName("is")) AUGSWEEP_RETURN_IF_ERROR(nesting.Deeper());
      if (SkipOp("|")) {
        AUGSWEEP_ASSIGN_OR_RETURN(std::string name, DottedName());
        AUGSWEEP_ASSIGN_OR_RETURN(node, ParseCall(std::move(node), Expr::Kind::kFilter, name));
      } else if (IsName("is")) {
        Next();
        const bool negated = SkipName("not");
        AUGSWEEP_ASSIGN_OR_RETURN(std::string name, DottedName());
        const Token& t = Peek();
        const bool bare_argument =
            (t.type == Type::kName || t.type == Type::kString || t.type == Type::kInteger ||
             t.type == Type::kFloat || IsOp("[") || IsOp("{")) &&
            !IsName("else") && !IsName("or") && !IsName("and") && !IsName("if") && !IsName("in") &&
            !IsName("not");
        if (bare_argument) {  // `x is divisibleby 3`
          if (IsName("is")) return Error("tests cannot be chained with 'is'");
          auto e = MakeExpr(Expr::Kind::kTest, t.line);
          e->name = name;
          AUGSWEEP_ASSIGN_OR_RETURN(ExprPtr arg, ParsePrimary());
          AUGSWEEP_ASSIGN_OR_RETURN(arg, ParsePostfix(std::move(arg)));
          e->args.push_back(std::move(node));
          e->args.push_back(std::move(arg));
          node = std::move(e);
        } else {
          AUGSWEEP_ASSIGN_OR_RETURN(node, ParseCall(std::move(node), Expr::Kind::kTest, name));
        }
        node->negated = negated;
      } else if (IsOp("(")) {
        AUGSWEEP_ASSIGN_OR_RETURN(node, ParseCall(std::move(node), Expr::Kind::kCall, ""));
      } else {
        return node;
      }
    }
  }

  std::vector<Token> tokens_;
  const std::string& name_;
  size_t pos_ = 0;
  int depth_ = 0;  // see Nesting
};

}  // namespace

StatusOr<Body> ParseTemplate(std::vector<Token> tokens, const std::string& name) {
  return Parser(std::move(tokens), name).Run();
}

}  // namespace augsweep::jinja
