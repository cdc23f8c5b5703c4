"""One walk over one module: follow values, emit events for the rules.

The walker interprets statements in order, one scope at a time, and keeps for
every name what it is known to hold (a loss, probabilities, a one-hot
tensor, a model class, ...) as a :class:`~lossdoctor.lint._values.Value`.
Branches join by intersection, so a name that is a softmax on one path and
something else on another is simply unknown.  Module-level functions are
walked after the module body (so globals defined below them are known);
class bodies are walked where they stand, ``__init__`` first, so a model's
``forward`` is summarised before the code that calls the model.

Calls the walker recognises become events for the rules (see
``_registry``).  A loss input that comes from a model class imported from
another module of the linted tree is kept as a *deferred* call and decided
once every module's summary is known (``_project``).
"""

from __future__ import annotations

import ast
from typing import Any

from . import _torchapi as api
from ._events import AccumulateEvent, BackwardEvent, CallEvent, Loc, LossCall, Operand
from ._values import Value, join, join_names, ref

# Tags that describe what a tensor holds (kept across .to(), .cuda(), ...).
SEMANTIC = frozenset({"probs", "logprobs", "sigmoid", "clamped", "logits", "onehot_int", "onehot_float", "half",
                      "model_output", "floored"})
# Methods that keep probabilities probabilities but can hold them away from 0.
_FLOORING = {"clamp", "clamp_", "clip", "clip_", "clamp_min", "clamp_min_"}
_INIT_FIRST = ("__init__", "setup", "build")
_LIGHTNING = ("lightning", "pytorch_lightning", "lightning.pytorch")


class ClassInfo:
    __slots__ = ("name", "is_module", "attrs", "returns", "has_forward", "line")

    def __init__(self, name: str, line: int) -> None:
        self.name = name
        self.is_module = False
        self.attrs: dict[str, Value | None] = {}
        self.returns: Value | None = None
        self.has_forward = False
        self.line = line


class Scope:
    __slots__ = ("names", "parent", "cls", "func")

    def __init__(self, parent: "Scope | None", cls: ClassInfo | None = None, func: "FuncFrame | None" = None):
        self.names: dict[str, Value | None] = {}
        self.parent = parent
        self.cls = cls
        self.func = func

    def lookup(self, name: str) -> Value | None:
        s: Scope | None = self
        while s is not None:
            names = s.names
            if name in names:
                return names[name]
            s = s.parent
        return None


class FuncFrame:
    """Per-function facts for LD604: accumulations and what gets ``.backward()``."""

    __slots__ = ("backwarded", "accumulations", "returns", "return_nodes", "no_grad")

    def __init__(self, no_grad: bool = False) -> None:
        self.backwarded: set[str] = set()
        self.accumulations: list[tuple[AccumulateEvent, str, set[str]]] = []
        self.returns: list[Value | None] = []
        self.return_nodes: list[ast.expr | None] = []
        self.no_grad = no_grad


class LoopFrame:
    __slots__ = ("backwarded", "accumulations")

    def __init__(self) -> None:
        self.backwarded: set[str] = set()
        self.accumulations: list[tuple[AccumulateEvent, str]] = []


class SourceText:
    """Maps AST positions (UTF-8 byte columns) to character offsets of the text."""

    __slots__ = ("text", "_lines", "_starts")

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = None
        self._starts: list[int] | None = None

    # Built on first use: most files produce no finding and never need them.
    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.splitlines(keepends=True)
        return self._lines

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            starts = [0]
            acc = 0
            for line in self.lines:
                acc += len(line)
                starts.append(acc)
            self._starts = starts
        return self._starts

    def col(self, line: int, byte_col: int) -> int:
        if 1 <= line <= len(self.lines):
            s = self.lines[line - 1]
            if not s.isascii():
                return len(s.encode("utf-8")[:byte_col].decode("utf-8", "replace"))
        return byte_col

    def loc(self, node: ast.AST) -> Loc:
        line = node.lineno
        end = node.end_lineno or line
        return (line, self.col(line, node.col_offset), end, self.col(end, node.end_col_offset or node.col_offset))

    def span(self, node: ast.AST) -> tuple[int, int]:
        line, col, end, end_col = self.loc(node)
        return self.starts[line - 1] + col, self.starts[end - 1] + end_col

    def segment(self, node: ast.AST) -> str:
        a, b = self.span(node)
        return self.text[a:b]

    def short(self, node: ast.AST, limit: int = 60) -> str:
        s = " ".join(self.segment(node).split())
        return s if len(s) <= limit else s[: limit - 3] + "..."


class Walker:
    def __init__(self, source: SourceText, handlers: dict[str, list], module: str, package: str) -> None:
        self.src = source
        self.handlers = handlers
        self.module = module
        self.package = package
        self.deferred_funcs: list[tuple[ast.AST, Scope, ClassInfo | None]] = []
        self.deferred_calls: list[dict[str, Any]] = []
        self.classes: dict[str, ClassInfo] = {}
        self.exports: dict[str, tuple[str, str]] = {}  # name -> (module, name) re-exported imports
        self.loops: list[LoopFrame] = []
        self.autocast = 0
        self.no_grad = 0
        self.ctx: Any = None  # set by the engine: the RuleContext rules report through
        self.module_accumulations: list = []
        self.module_backwarded: set[str] = set()

    # ---------------------------------------------------------------- driver
    def run(self, tree: ast.Module) -> None:
        scope = Scope(None)
        self.module_scope = scope
        self.block(tree.body, scope)
        i = 0
        while i < len(self.deferred_funcs):
            node, parent, cls = self.deferred_funcs[i]
            self.function(node, parent, cls)
            i += 1
        for ev, _, _ in self.module_accumulations:
            if ev.target not in self.module_backwarded:
                self.emit("accumulate", ev)

    def emit(self, event: str, payload: Any) -> None:
        for rule in self.handlers.get(event, ()):
            rule.check(self.ctx, payload)

    # ------------------------------------------------------------ statements
    def block(self, stmts: list[ast.stmt], scope: Scope) -> None:
        for s in stmts:
            handler = _STMT.get(type(s))
            if handler is not None:
                handler(self, s, scope)

    def s_expr(self, node: ast.Expr, scope: Scope) -> None:
        self.eval(node.value, scope)

    def s_assign(self, node: ast.Assign, scope: Scope) -> None:
        value = self.eval(node.value, scope)
        for t in node.targets:
            self.bind(t, value, scope)

    def s_annassign(self, node: ast.AnnAssign, scope: Scope) -> None:
        value = self.eval(node.value, scope) if node.value is not None else None
        if node.value is not None or isinstance(node.target, ast.Name):
            self.bind(node.target, value, scope)

    def s_augassign(self, node: ast.AugAssign, scope: Scope) -> None:
        value = self.eval(node.value, scope)
        target = node.target
        if (self.loops and isinstance(node.op, ast.Add) and value is not None and value.has("loss_value")
                and not value.has("unreduced") and isinstance(node.value, (ast.Name, ast.Attribute))
                and not self.no_grad and not (scope.func and scope.func.no_grad)):
            name = _dotted(target)
            if name is not None:
                ev = AccumulateEvent(name, self.src.short(node.value), self.src.loc(node), node)
                self.loops[-1].accumulations.append((ev, _dotted(node.value) or ""))
        # The accumulator no longer holds what it held.
        self.bind(target, None, scope)

    def s_return(self, node: ast.Return, scope: Scope) -> None:
        value = self.eval(node.value, scope) if node.value is not None else None
        if scope.func is not None:
            scope.func.returns.append(value)
            scope.func.return_nodes.append(node.value)

    def s_if(self, node: ast.If, scope: Scope) -> None:
        self.eval(node.test, scope)
        before = scope.names
        scope.names = dict(before)
        self.block(node.body, scope)
        body = scope.names
        scope.names = dict(before)
        self.block(node.orelse, scope)
        scope.names = join_names(before, [body, scope.names])

    def s_loop(self, node: ast.For | ast.While | ast.AsyncFor, scope: Scope) -> None:
        if isinstance(node, ast.While):
            self.eval(node.test, scope)
        else:
            self.eval(node.iter, scope)
        before = scope.names
        scope.names = dict(before)
        if not isinstance(node, ast.While):
            self.bind(node.target, None, scope)
        frame = LoopFrame()
        self.loops.append(frame)
        self.block(node.body, scope)
        self.loops.pop()
        body = scope.names
        scope.names = join_names(before, [before, body])
        self.block(node.orelse, scope)
        # A loss accumulated in a loop that also calls backward on that loss.
        for ev, loss_name in frame.accumulations:
            if loss_name and loss_name in frame.backwarded:
                if scope.func is not None:
                    scope.func.accumulations.append((ev, loss_name, frame.backwarded))
                else:
                    self.module_accumulations.append((ev, loss_name, frame.backwarded))
        if self.loops:
            outer = self.loops[-1]
            outer.backwarded |= frame.backwarded
            outer.accumulations.extend(frame.accumulations)

    def s_with(self, node: ast.With | ast.AsyncWith, scope: Scope) -> None:
        autocast = no_grad = 0
        for item in node.items:
            ctx = item.context_expr
            qual = self.qual(ctx.func if isinstance(ctx, ast.Call) else ctx, scope)
            if qual in api.AUTOCAST:
                enabled = _kw(ctx, "enabled") if isinstance(ctx, ast.Call) else None
                if not (isinstance(enabled, ast.Constant) and enabled.value is False):
                    autocast += 1
            elif qual in api.NO_GRAD:
                no_grad += 1
            else:
                self.eval(ctx, scope)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, None, scope)
        self.autocast += autocast
        self.no_grad += no_grad
        self.block(node.body, scope)
        self.autocast -= autocast
        self.no_grad -= no_grad

    def s_try(self, node: ast.Try, scope: Scope) -> None:
        before = scope.names
        scope.names = dict(before)
        self.block(node.body, scope)
        self.block(node.orelse, scope)
        branches = [scope.names]
        for h in node.handlers:
            scope.names = dict(before)
            if h.name:
                scope.names[h.name] = None
            self.block(h.body, scope)
            branches.append(scope.names)
        scope.names = join_names(before, [before, *branches])
        self.block(node.finalbody, scope)

    def s_match(self, node: ast.Match, scope: Scope) -> None:
        self.eval(node.subject, scope)
        before = scope.names
        branches = [before]
        for case in node.cases:
            scope.names = dict(before)
            for name in _pattern_names(case.pattern):
                scope.names[name] = None
            self.block(case.body, scope)
            branches.append(scope.names)
        scope.names = join_names(before, branches)

    def s_import(self, node: ast.Import, scope: Scope) -> None:
        for alias in node.names:
            if alias.asname:
                scope.names[alias.asname] = self._import_value(alias.name)
            else:
                top = alias.name.split(".", 1)[0]
                scope.names[top] = self._import_value(top)

    def _import_value(self, modname: str) -> Value:
        if modname == "torch" or modname.startswith("torch."):
            return ref(modname)
        return Value(("ext",), None, {"ext": (modname, None)})

    def s_importfrom(self, node: ast.ImportFrom, scope: Scope) -> None:
        mod = node.module or ""
        if node.level:
            base = self.package.split(".") if self.package else []
            if node.level > 1:
                base = base[: len(base) - (node.level - 1)] if len(base) >= node.level - 1 else []
            mod = ".".join([*base, mod] if mod else base)
        torchy = mod == "torch" or mod.startswith("torch.") or mod in _LIGHTNING
        for alias in node.names:
            if alias.name == "*":
                continue
            bound = alias.asname or alias.name
            if torchy:
                scope.names[bound] = ref(f"{mod}.{alias.name}")
            else:
                scope.names[bound] = Value(("ext",), None, {"ext": (mod, alias.name), "level": node.level})
                if scope is self.module_scope:
                    self.exports[bound] = (mod, alias.name)

    def s_funcdef(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> None:
        for d in node.decorator_list:
            self.eval(d, scope)
        scope.names[node.name] = None
        self.deferred_funcs.append((node, scope, None))

    def s_classdef(self, node: ast.ClassDef, scope: Scope) -> None:
        info = ClassInfo(node.name, node.lineno)
        for b in node.bases:
            bv = self.eval(b, scope)
            if bv is None:
                continue
            if bv.has("ref") and bv.meta.get("qual") in api.MODULE_BASES:
                info.is_module = True
            elif bv.has("class"):
                parent: ClassInfo = bv.meta["cls"]
                info.is_module = info.is_module or parent.is_module
                info.attrs.update(parent.attrs)
                info.returns = parent.returns
                info.has_forward = parent.has_forward
        scope.names[node.name] = Value(("class",), None, {"cls": info})
        self.classes[node.name] = info
        body_scope = Scope(scope, cls=info)
        methods = [s for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for s in node.body:
            if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.block([s], body_scope)
        # Class-level assignments (`loss_fn = nn.CrossEntropyLoss()`) are read as `self.loss_fn`.
        for name, value in body_scope.names.items():
            info.attrs.setdefault(name, value)
        methods.sort(key=lambda m: 0 if m.name in _INIT_FIRST else 1)
        for m in methods:
            for d in m.decorator_list:
                self.eval(d, scope)
            self.function(m, scope, info)
        for s in node.body:
            if isinstance(s, ast.ClassDef):
                self.s_classdef(s, body_scope)

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, parent: Scope,
                 cls: ClassInfo | None) -> None:
        decorators = [self.qual(d.func if isinstance(d, ast.Call) else d, parent)
                      for d in getattr(node, "decorator_list", ())]
        no_grad = any(q in api.NO_GRAD for q in decorators)
        autocast = any(q in api.AUTOCAST for q in decorators)
        frame = FuncFrame(no_grad)
        scope = Scope(parent, cls=None, func=frame)
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        if args.vararg:
            params.append(args.vararg)
        if args.kwarg:
            params.append(args.kwarg)
        for p in params:
            scope.names[p.arg] = None
        for default in [*args.defaults, *args.kw_defaults]:
            if default is not None:
                self.eval(default, parent)
        if cls is not None and params and not _is_static(node):
            scope.names[params[0].arg] = Value(("self",), None, {"cls": cls})
        saved_loops, self.loops = self.loops, []
        saved_ng, self.no_grad = self.no_grad, 0
        saved_ac, self.autocast = self.autocast, int(autocast)
        self.block(node.body, scope)
        self.loops, self.no_grad, self.autocast = saved_loops, saved_ng, saved_ac
        for ev, loss_name, _ in frame.accumulations:
            if ev.target not in frame.backwarded:
                self.emit("accumulate", ev)
        if cls is not None and node.name == "forward":
            cls.has_forward = True
            acc: Value | None = None
            for i, v in enumerate(frame.returns):
                acc = v if i == 0 else join(acc, v)
            if acc is not None:
                tags = acc.tags & (SEMANTIC - {"model_output"})
                kept = {k: v for k, v in acc.meta.items() if k in ("origin", "dim", "op")}
                acc = Value(tags, acc.node, kept) if tags else None
                if acc is not None:
                    acc.meta["via"] = f"{cls.name}.forward"
                    drop = self._drop_softmax_edits(frame)
                    if drop:
                        acc.meta["drop"] = drop
            cls.returns = acc

    # ------------------------------------------------------------- bindings
    def bind(self, target: ast.expr, value: Value | None, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.names[target.id] = value
        elif isinstance(target, ast.Attribute):
            owner = target.value
            if isinstance(owner, ast.Name):
                ov = scope.lookup(owner.id)
                if ov is not None and ov.has("self"):
                    cls: ClassInfo = ov.meta["cls"]
                    attrs = cls.attrs
                    attrs[target.attr] = join(attrs[target.attr], value) if target.attr in attrs else value
                    return
            self.eval(owner, scope)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self.bind(elt.value if isinstance(elt, ast.Starred) else elt, None, scope)
        elif isinstance(target, ast.Subscript):
            self.eval(target.value, scope)
            self.eval(target.slice, scope)

    # ---------------------------------------------------------- expressions
    def eval(self, node: ast.expr | None, scope: Scope) -> Value | None:
        if node is None:
            return None
        handler = _EXPR.get(type(node))
        if handler is None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.eval(child, scope)
            return None
        return handler(self, node, scope)

    def e_name(self, node: ast.Name, scope: Scope) -> Value | None:
        return scope.lookup(node.id)

    def e_const(self, node: ast.Constant, scope: Scope) -> Value | None:
        return None

    def e_attribute(self, node: ast.Attribute, scope: Scope) -> Value | None:
        base = self.eval(node.value, scope)
        if base is None:
            return None
        if base.has("ref"):
            return ref(base.meta["qual"] + "." + node.attr)
        if base.has("self"):
            return base.meta["cls"].attrs.get(node.attr)
        if base.has("ext"):
            return _ext_attribute(base, node.attr)
        if node.attr in ("indices",) and base.has("maxpair"):
            return Value(("nondiff",), node)
        if node.attr in ("values",) and base.has("maxpair"):
            return None
        return None

    def e_subscript(self, node: ast.Subscript, scope: Scope) -> Value | None:
        base = self.eval(node.value, scope)
        self.eval(node.slice, scope)
        if base is None:
            return None
        if base.has("eye"):
            return Value(("onehot_float",), node, {"origin": (self.src.short(node), node.lineno)})
        if base.has("maxpair") and isinstance(node.slice, ast.Constant) and node.slice.value == 1:
            return Value(("nondiff",), node, {"origin": (self.src.short(node), node.lineno)})
        return None

    def e_binop(self, node: ast.BinOp, scope: Scope) -> Value | None:
        left = self.eval(node.left, scope)
        right = self.eval(node.right, scope)
        # `loss / accumulation_steps` is still the (un)reduced loss.
        if isinstance(node.op, (ast.Div, ast.Mult)):
            if left is not None and left.has("loss_value") and _is_scalar_like(node.right):
                return left
            if (right is not None and right.has("loss_value") and isinstance(node.op, ast.Mult)
                    and _is_scalar_like(node.left)):
                return right
        return None

    def e_ifexp(self, node: ast.IfExp, scope: Scope) -> Value | None:
        self.eval(node.test, scope)
        return join(self.eval(node.body, scope), self.eval(node.orelse, scope))

    def e_lambda(self, node: ast.Lambda, scope: Scope) -> Value | None:
        return None

    def e_comp(self, node: ast.AST, scope: Scope) -> Value | None:
        # Comprehensions bind their own names; walk them in a child scope.
        inner = Scope(scope)
        for gen in node.generators:  # type: ignore[attr-defined]
            self.eval(gen.iter, inner)
            self.bind(gen.target, None, inner)
            for cond in gen.ifs:
                self.eval(cond, inner)
        if isinstance(node, ast.DictComp):
            self.eval(node.key, inner)
            self.eval(node.value, inner)
        else:
            self.eval(node.elt, inner)  # type: ignore[attr-defined]
        return None

    def e_namedexpr(self, node: ast.NamedExpr, scope: Scope) -> Value | None:
        value = self.eval(node.value, scope)
        self.bind(node.target, value, scope)
        return value

    def e_call(self, node: ast.Call, scope: Scope) -> Value | None:
        func = node.func
        if isinstance(func, ast.Attribute):
            obj = self.eval(func.value, scope)
            fval = self._attribute_of(obj, func.attr)
        else:
            obj = None
            fval = self.eval(func, scope)
        args = [self.eval(a.value if isinstance(a, ast.Starred) else a, scope) for a in node.args]
        kwvals = {k.arg: self.eval(k.value, scope) for k in node.keywords}
        if fval is not None:
            if fval.has("ref"):
                return self.call_qualified(fval.meta["qual"], node, args, kwvals, scope)
            return self.call_value(fval, node, args, kwvals, scope)
        if isinstance(func, ast.Attribute):
            return self.call_method(obj, func.attr, node, args, kwvals, scope)
        return None

    def _attribute_of(self, obj: Value | None, attr: str) -> Value | None:
        if obj is None:
            return None
        if obj.has("ref"):
            return ref(obj.meta["qual"] + "." + attr)
        if obj.has("self"):
            return obj.meta["cls"].attrs.get(attr)
        if obj.has("ext"):
            return _ext_attribute(obj, attr)
        return None

    # A call whose callee resolved to a torch qualified name.
    def call_qualified(self, qual: str, node: ast.Call, args: list, kw: dict, scope: Scope) -> Value | None:
        a0 = args[0] if args else kw.get("input")
        if qual in api.LOSS_FUNCTIONS:
            return self.loss_call(api.LOSS_FUNCTIONS[qual], qual, node, None, args, kw,
                                  unreduced=_unreduced(node, functional=True))
        if qual in api.LOSS_CLASSES:
            short = qual.rsplit(".", 1)[-1]
            positional_tensors = [a for a in node.args if not _is_constantish(a)]
            if len(node.args) >= 2 and positional_tensors and not _looks_like_ctor_args(node, short):
                self.emit("call", CallEvent("loss_ctor", qual, self.src.segment(node.func), self.src.loc(node), node))
                return None
            return Value(("loss_fn",), node, {"family": api.LOSS_CLASSES[qual], "qual": qual,
                                              "unreduced": _unreduced(node, functional=False)})
        if qual in api.SOFTMAX or qual in api.LOG_SOFTMAX:
            return self._softmax(qual, node, a0, scope, method=False)
        if qual in api.CLAMPING:
            op = api.CLAMPING[qual]
            tags = ("sigmoid", "clamped") if op == "sigmoid" else ("clamped",)
            return Value(tags, node, {"origin": (self.src.short(node), node.lineno), "op": op})
        if qual in api.LOG:
            self._log(qual, node, a0, node.args[0] if node.args else _kw(node, "input"))
            return _logged(a0)
        if qual in api.ONE_HOT:
            return Value(("onehot_int",), node, {"origin": (self.src.short(node), node.lineno)})
        if qual in api.EYE:
            return Value(("eye",), node)
        if qual in api.ARGMAX:
            return Value(("nondiff",), node, {"origin": (self.src.short(node), node.lineno)})
        if qual in api.MAX:
            if len(node.args) >= 2 or "dim" in kw:
                return Value(("maxpair",), node)
            return None
        if qual in api.SQUEEZE:
            if len(node.args) == 1 and not node.keywords:
                return _semantic(a0).with_tags(("squeezed",), origin_sq=(self.src.short(node), node.lineno))
            return _semantic(a0) if a0 is not None else None
        if qual in api.UNSQUEEZE:
            d = node.args[1] if len(node.args) > 1 else _kw(node, "dim")
            return self._unsqueezed(a0, d, node)
        if qual in api.MODULE_OUTPUTS:
            tags, op = api.MODULE_OUTPUTS[qual]
            out_meta: dict[str, Any] = {"origin": (self.src.short(node), node.lineno), "op": op}
            if op in ("nn.Softmax", "nn.LogSoftmax"):
                dim_node = node.args[0] if node.args else _kw(node, "dim")
                out_meta["dim"] = _int_literal(dim_node)
                if dim_node is None:
                    self.emit("call", CallEvent("softmax", qual, op, self.src.loc(node), node, extra={"dim": None}))
            return Value(("module",), node, {"out": Value(tags, node, out_meta), "keeps_rank": True})
        if qual in api.SEQUENTIAL:
            return self._sequential(node, args)
        if qual in api.FACTORIES:
            ndim = _factory_rank(qual, node)
            return Value(("tensor",), node, {"ndim": ndim}) if ndim is not None else None
        last = qual.rsplit(".", 1)[-1]
        if qual.startswith("torch.nn.") and last[:1].isupper() and qual.count(".") == 2:
            # Some other layer: what it outputs is unknown, at most its rank.
            return Value(("module",), node, {"out": None, "keeps_rank": qual in api.RANK_KEEPING,
                                             "adds_dim": qual in api.EMBEDDING})
        return None

    def _sequential(self, node: ast.Call, args: list) -> Value | None:
        last = args[-1] if args else None
        if len(node.args) == 1 and isinstance(node.args[0], ast.Call) and _call_name(node.args[0]) == "OrderedDict":
            inner = node.args[0]
            if inner.args and isinstance(inner.args[0], (ast.List, ast.Tuple)) and inner.args[0].elts:
                pair = inner.args[0].elts[-1]
                if isinstance(pair, ast.Tuple) and len(pair.elts) == 2:
                    last = self.eval(pair.elts[1], self.module_scope)
        out = None
        if last is not None and last.has("module"):
            out = last.meta.get("out")
            if out is not None and out.meta.get("op") == "nn.Softmax" and len(node.args) >= 2 \
                    and last.node is node.args[-1]:
                from ._fixes import Edit

                # Drop `, nn.Softmax(dim=1)` from the end of the Sequential.
                _, prev_end = self.src.span(node.args[-2])
                _, last_end = self.src.span(node.args[-1])
                out = Value(out.tags, out.node, {**out.meta, "drop": (Edit(prev_end, last_end, ""),)})
        keeps = bool(args) and len(args) == len(node.args) and all(
            a is not None and a.has("module") and a.meta.get("keeps_rank") for a in args)
        return Value(("module", "model"), node, {"out": out, "keeps_rank": keeps})

    def _drop_softmax_edits(self, frame: FuncFrame) -> tuple | None:
        """Edits that make ``forward`` return logits: every ``return softmax(h)`` becomes ``return h``."""
        from ._fixes import Edit

        edits = []
        for value, node in zip(frame.returns, frame.return_nodes):
            inner = _softmax_input(value, node)
            if inner is None:
                return None
            a, b = self.src.span(node)
            edits.append(Edit(a, b, self.src.segment(inner)))
        return tuple(edits) or None

    def _softmax(self, qual: str, node: ast.Call, a0: Value | None, scope: Scope, method: bool) -> Value:
        log = "log_softmax" in qual
        if method:
            dim_node = node.args[0] if node.args else _kw(node, "dim")
        else:
            dim_node = node.args[1] if len(node.args) > 1 else _kw(node, "dim")
        dim = _int_literal(dim_node)
        if dim_node is None and qual in api.SOFTMAX_OPTIONAL_DIM:
            self.emit("call", CallEvent("softmax", qual, self.src.segment(node.func), self.src.loc(node), node,
                                        arg=a0, extra={"dim": None}))
        tags = ("logprobs",) if log else ("probs",)
        keep = a0.tags & {"half", "model_output"} if a0 is not None else frozenset()
        return Value(frozenset(tags) | keep, node, {"origin": (self.src.short(node), node.lineno), "dim": dim,
                                                    "ndim": a0.meta.get("ndim") if a0 is not None else None,
                                                    "op": "log_softmax" if log else "softmax",
                                                    "form": "method" if method else "function"})

    def _log(self, qual: str, node: ast.Call, arg: Value | None, arg_node: ast.expr | None) -> None:
        if arg is not None and arg.has("probs"):
            self.emit("call", CallEvent("log", qual, self.src.segment(node.func), self.src.loc(node), node,
                                        arg=arg, arg_node=arg_node))

    def _unsqueezed(self, a0: Value | None, d: ast.expr | None, node: ast.Call) -> Value | None:
        dim = _int_literal(d)
        base = _semantic(a0) if a0 is not None else Value()
        if dim is not None and dim != 0:
            return base.with_tags(("unsqueezed",), udim=dim, origin_unsq=(self.src.short(node), node.lineno))
        return base if base.tags else None

    # A call of something the walker holds a value for (a criterion, a model).
    def call_value(self, fval: Value, node: ast.Call, args: list, kw: dict, scope: Scope) -> Value | None:
        if fval.has("loss_fn"):
            ctor = fval.node if isinstance(fval.node, ast.Call) else None
            return self.loss_call(fval.meta["family"], fval.meta["qual"], node, ctor, args, kw,
                                  unreduced=fval.meta.get("unreduced", False))
        if fval.has("module"):
            out = fval.meta.get("out")
            result = self._module_output(out, node, fval, model=fval.has("model"))
            a0 = args[0] if args else None
            ndim = a0.meta.get("ndim") if a0 is not None else None
            if result is not None and ndim and fval.meta.get("adds_dim"):
                result = result.with_tags(ndim=ndim + 1)  # nn.Embedding: (N, L) indices -> (N, L, H)
            elif result is not None and ndim and fval.meta.get("keeps_rank"):
                result = result.with_tags(ndim=ndim)
                if out is not None and out.meta.get("op") in ("nn.Linear", "nn.LazyLinear"):
                    result = result.with_tags(("linear_out",))
            return result
        if fval.has("class"):
            cls: ClassInfo = fval.meta["cls"]
            if cls.is_module or cls.has_forward:
                return Value(("instance",), node, {"cls": cls})
            return None
        if fval.has("instance") or (fval.has("self") and fval.meta["cls"].has_forward):
            cls = fval.meta["cls"]
            return self._module_output(cls.returns, node, fval, model=True)
        if fval.has("ext"):
            mod, name = fval.meta["ext"]
            if name is not None:
                return Value(("ext_instance",), node, {"ext": (mod, name)})
            return None
        if fval.has("ext_instance"):
            return Value(("ext_output",), node, {"ext": fval.meta["ext"], "half": fval.meta.get("half", False)})
        return None

    def _module_output(self, out: Value | None, node: ast.Call, module: Value, model: bool) -> Value | None:
        tags = set(out.tags) if out is not None else set()
        tags.add("model_output")
        if module.meta.get("half"):
            tags.add("half")
        if not tags:
            return None
        meta = dict(out.meta) if out is not None else {}
        if not model:
            meta["form"] = "module"
            meta["origin"] = (self.src.short(node), node.lineno)
        elif out is not None and not meta.get("via"):
            meta["via"] = "nn.Sequential"
        return Value(frozenset(tags), node, meta)

    def call_method(self, obj: Value | None, name: str, node: ast.Call, args: list, kw: dict,
                    scope: Scope) -> Value | None:
        if name == "backward":
            self._backward(obj, node, args, scope)
            return None
        if obj is not None and (obj.has("instance") or obj.has("module") or obj.has("ext_instance") or obj.has("self")):
            if name in ("to", "cuda", "cpu", "train", "eval", "float", "requires_grad_", "double"):
                return obj
            if name == "half":
                return Value(obj.tags, obj.node, {**obj.meta, "half": True})
            if name == "forward":
                return self.call_value(obj, node, args, kw, scope)
            return None
        if name == "softmax" or name == "log_softmax":
            return self._softmax("torch.Tensor." + name, node, obj, scope, method=True)
        if name in api.CLAMPING_METHODS:
            op = api.CLAMPING_METHODS[name]
            tags = ("sigmoid", "clamped") if op == "sigmoid" else ("clamped",)
            return Value(tags, node, {"origin": (self.src.short(node), node.lineno), "op": op, "form": "method"})
        if name == "log" and not node.args:
            self._log("torch.Tensor.log", node, obj, node.func.value if isinstance(node.func, ast.Attribute) else None)
            return _logged(obj)
        if name == "scale" and len(node.args) == 1 and not node.keywords:
            return args[0]  # GradScaler.scale(loss)
        if obj is None:
            if name == "half" or (name in ("to", "type") and _dtype_arg(node, scope, self) in api.HALF_DTYPES):
                return Value(("half",), node, {"origin_half": (self.src.short(node), node.lineno)})
            if name in ("argmax", "argmin", "round"):
                return Value(("nondiff",), node, {"origin": (self.src.short(node), node.lineno)})
            if name in ("max", "min") and (node.args or node.keywords):
                return Value(("maxpair",), node)
            if name == "squeeze" and not node.args and not node.keywords:
                return Value(("squeezed",), node, {"origin_sq": (self.src.short(node), node.lineno)})
            if name == "unsqueeze":
                return self._unsqueezed(None, node.args[0] if node.args else _kw(node, "dim"), node)
            if name in api.RESHAPE_METHODS:
                return _viewed(None, node)
            return None
        if obj.has("loss_value"):
            if name in ("mean", "sum"):
                return Value(("loss_value",), node, {"call": obj.meta.get("call")})
            if name in ("item", "detach", "tolist", "cpu", "numpy"):
                return None
            return None
        if name in ("argmax", "argmin", "round"):
            return Value(("nondiff",), node, {"origin": (self.src.short(node), node.lineno)})
        if name in ("max", "min") and (node.args or node.keywords):
            return Value(("maxpair",), node)
        if name in ("long", "int"):
            tags = set(obj.tags & SEMANTIC)
            if "onehot_float" in tags:
                tags.discard("onehot_float")
                tags.add("onehot_int")
            tags.add("nondiff")
            return Value(frozenset(tags), node, {**obj.meta, "origin_nd": (self.src.short(node), node.lineno)})
        if name in ("float", "double") or (name in ("to", "type") and _dtype_arg(node, scope, self) in api.FLOAT_DTYPES):
            tags = set(obj.tags & (SEMANTIC | {"nondiff", "squeezed", "unsqueezed", "view2", "view3"}))
            if "onehot_int" in tags:
                tags.discard("onehot_int")
                tags.add("onehot_float")
            tags.discard("half")
            return Value(frozenset(tags), obj.node, obj.meta) if tags else None
        if name == "half" or (name in ("to", "type") and _dtype_arg(node, scope, self) in api.HALF_DTYPES):
            return obj.with_tags(("half",), origin_half=(self.src.short(node), node.lineno))
        if name in _FLOORING and _has_floor(node, name):
            # `p.clamp_min(1e-8)`: still probabilities, but `log` of it cannot be -inf.
            return obj.with_tags(("floored",))
        if name in api.PASSTHROUGH_METHODS:
            return obj
        if name == "squeeze":
            if not node.args and not node.keywords:
                return _semantic(obj).with_tags(("squeezed",), origin_sq=(self.src.short(node), node.lineno))
            return _semantic(obj)
        if name == "unsqueeze":
            return self._unsqueezed(obj, node.args[0] if node.args else _kw(node, "dim"), node)
        if name in api.RESHAPE_METHODS:
            return _viewed(obj, node)
        if name in ("permute", "transpose"):
            return _semantic(obj)
        return None

    def _backward(self, obj: Value | None, node: ast.Call, args: list, scope: Scope) -> None:
        func = node.func
        assert isinstance(func, ast.Attribute)
        target_node: ast.expr = func.value
        value = obj
        has_gradient = bool(node.args or node.keywords)
        if (obj is None or not obj.has("loss_value")) and len(node.args) == 1:
            # accelerator.backward(loss), self.manual_backward(loss), fabric.backward(loss)
            target_node, value, has_gradient = node.args[0], args[0], False
        name = _dotted(target_node)
        if name:
            if self.loops:
                self.loops[-1].backwarded.add(name)
            if scope.func is not None:
                scope.func.backwarded.add(name)
            else:
                self.module_backwarded.add(name)
        text = self.src.short(target_node)
        if not isinstance(target_node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
            text = f"({text})"
        self.emit("backward", BackwardEvent(value, text, self.src.loc(target_node), has_gradient))

    # ---------------------------------------------------------- loss calls
    def loss_call(self, family: str, qual: str, node: ast.Call, ctor: ast.Call | None, args: list, kw: dict,
                  unreduced: bool) -> Value:
        if any(isinstance(a, ast.Starred) for a in node.args):
            return Value(("loss_value",), node, {})
        if node.args:
            input_node, input_value = node.args[0], args[0]
        else:
            input_node, input_value = _kw(node, "input"), kw.get("input")
        if len(node.args) > 1:
            target_node, target_value = node.args[1], args[1]
        else:
            target_node, target_value = _kw(node, "target"), kw.get("target")
        call = LossCall(family, qual, self.src.short(node.func), self.src.loc(node),
                        self._operand(input_node, input_value), self._operand(target_node, target_value),
                        autocast=self.autocast > 0, node=node, ctor=ctor)
        ext = [op for op in (call.input, call.target) if op is not None and op.value is not None
               and op.value.has("ext_output")]
        if ext:
            self.deferred_calls.append(_deferred(call))
        else:
            self.emit("loss_call", call)
        tags = ("loss_value", "unreduced") if unreduced else ("loss_value",)
        return Value(tags, node, {"call": call})

    def _operand(self, node: ast.expr | None, value: Value | None) -> Operand | None:
        if node is None:
            return None
        return Operand(value, self.src.short(node), self.src.loc(node), node)

    def qual(self, node: ast.expr | None, scope: Scope) -> str | None:
        """The qualified torch name of an expression, without emitting events."""
        if isinstance(node, ast.Name):
            v = scope.lookup(node.id)
            return v.meta.get("qual") if v is not None and v.has("ref") else None
        if isinstance(node, ast.Attribute):
            base = self.qual(node.value, scope)
            return f"{base}.{node.attr}" if base else None
        return None


def _softmax_input(value: Value | None, node: ast.expr | None) -> ast.expr | None:
    """``h`` when ``node`` is itself ``F.softmax(h, ...)``, ``h.softmax(...)`` or ``self.softmax(h)``."""
    if value is None or node is None or value.node is not node or not isinstance(node, ast.Call):
        return None
    if value.meta.get("op") not in ("softmax", "nn.Softmax") or value.meta.get("via"):
        return None
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return None
    if value.meta.get("form") == "method":
        return node.func.value if isinstance(node.func, ast.Attribute) else None
    return node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "input"), None)


def _factory_rank(qual: str, node: ast.Call) -> int | None:
    """The rank of `torch.randn(4, 5, 8)` / `torch.zeros((4, 5))` / `torch.randint(0, 5, (4, 5))`."""
    size = _kw(node, "size")
    if size is None:
        if qual == "torch.randint":
            size = next((a for a in node.args if isinstance(a, (ast.Tuple, ast.List))), None)
        elif qual == "torch.full":
            size = node.args[0] if node.args else None
        elif len(node.args) == 1 and isinstance(node.args[0], (ast.Tuple, ast.List)):
            size = node.args[0]
        elif node.args and all(isinstance(a, (ast.Constant, ast.Name, ast.Attribute)) for a in node.args):
            return len(node.args)
    if isinstance(size, (ast.Tuple, ast.List)) and not any(isinstance(e, ast.Starred) for e in size.elts):
        return len(size.elts)
    return None


def _has_floor(node: ast.Call, name: str) -> bool:
    """`p.clamp(1e-8)`, `p.clamp(min=eps)`, `p.clamp_min(eps)`: a lower bound that is not a literal 0."""
    low = node.args[0] if node.args else _kw(node, "min")
    if name.startswith("clamp_min") and low is None:
        low = _kw(node, "min")
    if low is None or (isinstance(low, ast.Constant) and (low.value is None or low.value == 0)):
        return False
    return True


def _ext_attribute(base: Value, attr: str) -> Value:
    """`models.Net` where `models` came from `import models` or `from pkg import models`."""
    mod, name = base.meta["ext"]
    return Value(("ext",), None, {"ext": (f"{mod}.{name}" if name else mod, attr)})


def _viewed(obj: Value | None, node: ast.Call) -> Value | None:
    n = len(node.args)
    if n == 1 and isinstance(node.args[0], (ast.Tuple, ast.List)):
        n = len(node.args[0].elts)
    base = _semantic(obj) if obj is not None else Value()
    if n == 3:
        return base.with_tags(("view3",), ndim=3)
    if n == 2:
        return base.with_tags(("view2",), ndim=2)
    return base if base.tags else None


def _semantic(v: Value | None) -> Value:
    if v is None:
        return Value()
    return Value(v.tags & (SEMANTIC | {"nondiff"}), v.node, v.meta)


def _logged(v: Value | None) -> Value | None:
    if v is not None and v.has("probs"):
        return Value(("logprobs",) + (("model_output",) if v.has("model_output") else ()), v.node, v.meta)
    return None


def _deferred(call: LossCall) -> dict[str, Any]:
    def op(o: Operand | None) -> dict[str, Any] | None:
        if o is None:
            return None
        v = o.value
        return {"text": o.text, "loc": list(o.loc), "ext": list(v.meta["ext"]) if v is not None and v.has("ext_output") else None,
                "tags": sorted(v.tags) if v is not None else [], "half": bool(v is not None and v.meta.get("half"))}

    return {"family": call.family, "qual": call.qual, "callee": call.callee, "loc": list(call.loc),
            "autocast": call.autocast, "input": op(call.input), "target": op(call.target)}


def _dtype_arg(node: ast.Call, scope: Scope, walker: Walker) -> str | None:
    cand = node.args[0] if node.args else _kw(node, "dtype")
    return walker.qual(cand, scope) if cand is not None else None


def _kw(node: ast.Call, name: str) -> ast.expr | None:
    for k in node.keywords:
        if k.arg == name:
            return k.value
    return None


def _int_literal(node: ast.expr | None) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and type(node.operand.value) is int:
        return -node.operand.value
    return None


def _unreduced(node: ast.Call, functional: bool) -> bool:
    red = _kw(node, "reduction")
    if isinstance(red, ast.Constant) and red.value == "none":
        return True
    reduce_ = _kw(node, "reduce")
    return isinstance(reduce_, ast.Constant) and reduce_.value is False


def _is_constantish(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) or (isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant))


def _looks_like_ctor_args(node: ast.Call, short: str) -> bool:
    """`nn.CrossEntropyLoss(weight, None, -100)`: legacy positional constructor arguments."""
    rest = node.args[1:]
    return all(_is_constantish(a) for a in rest)


def _is_scalar_like(node: ast.expr) -> bool:
    return isinstance(node, (ast.Constant, ast.Name, ast.Attribute)) or _is_constantish(node)


def _call_name(node: ast.Call) -> str | None:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return None


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _is_static(node: ast.AST) -> bool:
    for d in getattr(node, "decorator_list", ()):
        if isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod"):
            return True
    return False


def _pattern_names(pattern: ast.AST) -> list[str]:
    names = []
    for n in ast.walk(pattern):
        name = getattr(n, "name", None)
        if isinstance(name, str):
            names.append(name)
    return names


_STMT = {
    ast.Expr: Walker.s_expr,
    ast.Assign: Walker.s_assign,
    ast.AnnAssign: Walker.s_annassign,
    ast.AugAssign: Walker.s_augassign,
    ast.Return: Walker.s_return,
    ast.If: Walker.s_if,
    ast.For: Walker.s_loop,
    ast.AsyncFor: Walker.s_loop,
    ast.While: Walker.s_loop,
    ast.With: Walker.s_with,
    ast.AsyncWith: Walker.s_with,
    ast.Try: Walker.s_try,
    ast.Match: Walker.s_match,
    ast.Import: Walker.s_import,
    ast.ImportFrom: Walker.s_importfrom,
    ast.FunctionDef: Walker.s_funcdef,
    ast.AsyncFunctionDef: Walker.s_funcdef,
    ast.ClassDef: Walker.s_classdef,
}
if hasattr(ast, "TryStar"):
    _STMT[ast.TryStar] = Walker.s_try

_EXPR = {
    ast.Name: Walker.e_name,
    ast.Constant: Walker.e_const,
    ast.Attribute: Walker.e_attribute,
    ast.Subscript: Walker.e_subscript,
    ast.Call: Walker.e_call,
    ast.BinOp: Walker.e_binop,
    ast.IfExp: Walker.e_ifexp,
    ast.Lambda: Walker.e_lambda,
    ast.ListComp: Walker.e_comp,
    ast.SetComp: Walker.e_comp,
    ast.GeneratorExp: Walker.e_comp,
    ast.DictComp: Walker.e_comp,
    ast.NamedExpr: Walker.e_namedexpr,
}
