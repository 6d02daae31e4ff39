// The syntax tree of a parsed template (internal to common/jinja: parser.cc builds it,
// render.cc walks it). Every node keeps the template line it came from for error messages.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/jinja/value.h"

namespace augsweep::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    kLiteral,    // value
    kName,       // name
    kList,       // args
    kTuple,      // args (a tuple is a list at run time)
    kDict,       // keyword: key expression in `args`, value in `keyword`... see parser
    kGetAttr,    // args[0] . name
    kGetItem,    // args[0] [ args[1] ]
    kSlice,      // args[0] [ args[1] : args[2] : args[3] ] (null parts absent)
    kCall,       // args[0] ( args[1..], keyword )
    kFilter,     // args[0] | name ( args[1..], keyword )
    kTest,       // args[0] is [not] name ( args[1..], keyword )
    kNegate,     // - args[0]
    kBinary,     // args[0] name args[1]: + - * / // % ** ~
    kCompare,    // args[0] ops[0] args[1] ops[1] args[2] ...: == != < > <= >= in notin
    kAnd,        // args[0] and args[1]
    kOr,         // args[0] or args[1]
    kNot,        // not args[0]
    kCondition,  // args[0] if args[1] else args[2] (args[2] null: undefined)
  };
  Kind kind = Kind::kLiteral;
  int line = 0;
  Value value;
  std::string name;
  bool negated = false;  // kTest: "is not"
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> keyword;  // kCall/kFilter/kTest; kDict's values
  std::vector<std::string> ops;                          // kCompare
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using Body = std::vector<NodePtr>;

struct Node {
  enum class Kind {
    kText,      // text
    kOutput,    // {{ expr }}
    kIf,        // branches: (condition, body)...; else_body
    kFor,       // targets in expr [if condition]: body; else_body
    kSet,       // targets = expr, or namespace_attr: targets[0].attribute = expr
    kSetBlock,  // {% set targets[0] %}body{% endset %}
    kMacro,     // name(params) body
    kBreak,
    kContinue,
    kScope,  // a body rendered in place ({% generation %})
  };
  Kind kind = Kind::kText;
  int line = 0;
  std::string text;
  ExprPtr expr;
  ExprPtr condition;  // kFor's inline filter
  std::vector<std::string> targets;
  std::string attribute;  // kSet on a namespace attribute
  std::vector<std::pair<ExprPtr, Body>> branches;
  Body body;
  Body else_body;
  std::string name;
  std::vector<std::pair<std::string, ExprPtr>> params;  // kMacro; default may be null
};

}  // namespace augsweep::jinja
