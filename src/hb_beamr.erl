%% @doc HyperBEAM's `hb_beamr' API as a thin facade over {@link beamr}.
%%
%% Same functions and shapes as HyperBEAM's module: an instance is a pid;
%% imports are served by `ImportFun(State, #{instance, module, func,
%% args, func_sig}, Opts) -> {ok, Results, NewState}' in the caller's
%% process, with the state threaded through.
%%
%% Imports and exports lists (function imports and exports only):
%% <ul>
%% <li>`Imports': `[{Module, Function, Params, Signature}]';</li>
%% <li>`Exports': `[{Function, Params, Signature}]';</li>
%% </ul>
%% with `Module' and `Function' binaries, `Params' the parameter types
%% (`[i32, f64]') and `Signature' a string: parameter letters in
%% parentheses, then result letters; `i' i32, `I' i64, `f' f32, `F' f64,
%% `v' v128, `r' funcref, `e' externref. Example: `"(ii)i"'.
%%
%% Errors: see {@link beamr}. An import fun that raises gives
%% `{error, Class, Reason, Stack, State}'; the instance stays usable.
%%
%% Instances started here are detached: they live until {@link stop/1},
%% whichever process started them.
%%
%% Modes: `wasm' (a WebAssembly binary) and `aot' (a module compiled and
%% saved by `beamr:module_to_binary/1', loaded without recompiling;
%% anything else is rejected with `{error, {aot, #{reason := Reason}}}',
%% `Reason' one of `aot_bad_format', `aot_version_mismatch',
%% `aot_checksum_mismatch', `aot_corrupt').
%%
%% As in HyperBEAM, every import goes to the import fun of the call.
%% {@link start/3} with `#{wasi => WasiOpts}' serves WASI natively
%% instead (the `wasi' option of `beamr:start/2'); the other imports
%% still go to the import fun.
%% SPDX-License-Identifier: Apache-2.0
-module(hb_beamr).
-compile(warn_missing_spec).

-export([start/1, start/2, start/3, call/3, call/4, call/5, call/6, stop/1,
         wasm_send/2, serialize/1, deserialize/2, stub/3]).

-type wasm() :: pid().
-type imports() :: [{binary(), binary(), [beamr:valtype()], string()}].
-type exports() :: [{binary(), [beamr:valtype()], string()}].
-export_type([wasm/0, imports/0, exports/0]).

%% @equiv start(WasmBinary, wasm)
-spec start(binary()) ->
          {ok, wasm(), imports(), exports()} | {error, term()}.
start(WasmBinary) ->
    start(WasmBinary, wasm).

%% @equiv start(Binary, Mode, #{})
-spec start(binary(), wasm | aot) ->
          {ok, wasm(), imports(), exports()} | {error, term()}.
start(Binary, Mode) ->
    start(Binary, Mode, #{}).

%% @doc Loads and instantiates a module (`wasm': WebAssembly bytes;
%% `aot': a module saved by `beamr:module_to_binary/1'); returns the
%% instance and its function imports and exports (`wasm' also accepts
%% WAT text, as `beamr:compile/1' does).
%%
%% Options (beamr's, not HyperBEAM's): `wasi => WasiOpts' serves
%% `wasi_snapshot_preview1' natively, with the options of
%% `beamr:start/2' (for example `#{wasi => #{stdout => discard}}');
%% `limits' as in `beamr:start/2'.
%%
%% Example: `{ok, WASM, Imports, Exports} = hb_beamr:start(Bin, wasm,
%% #{wasi => #{}})'.
-spec start(binary(), wasm | aot, map()) ->
          {ok, wasm(), imports(), exports()} | {error, term()}.
start(Binary, Mode, Opts) when is_binary(Binary), is_map(Opts),
                               (Mode =:= wasm orelse Mode =:= aot) ->
    Load = case Mode of
               wasm -> beamr:compile(Binary);
               aot -> beamr:binary_to_module(Binary)
           end,
    case Load of
        {ok, Mod} ->
            StartOpts = maps:merge(maps:with([wasi, limits], Opts),
                                   #{detached => true,
                                     import_fun => fun stub/3,
                                     state => #{}}),
            case beamr:start(Mod, StartOpts) of
                {ok, Pid} -> {ok, Pid, imports(Mod), exports(Mod)};
                Error -> Error
            end;
        Error ->
            Error
    end;
start(Binary, Mode, Opts) ->
    erlang:error(badarg, [Binary, Mode, Opts]).

imports(Mod) ->
    [{M, N, P, beamr:signature(P, R)}
     || {M, N, {func, P, R}} <- beamr:imports(Mod)].

exports(Mod) ->
    [{N, P, beamr:signature(P, R)}
     || {N, {func, P, R}} <- beamr:exports(Mod)].

%% @doc Calls a function by name (string or binary) or by index in table
%% 0; imports get `stub/3' answers.
%%
%% Example: `{ok, [120.0]} = hb_beamr:call(WASM, "fac", [5.0])'.
-spec call(wasm(), string() | binary() | non_neg_integer(), list()) ->
          {ok, list()} | {error, term()} |
          {error, atom(), term(), list(), term()}.
call(WASM, FuncRef, Args) ->
    case call(WASM, FuncRef, Args, fun stub/3) of
        {ok, Results, _State} -> {ok, Results};
        Error -> Error
    end.

%% @equiv call(WASM, FuncRef, Args, ImportFun, #{}, #{})
-spec call(wasm(), string() | binary() | non_neg_integer(), list(),
           beamr:import_fun()) ->
          {ok, list(), term()} | {error, term()} |
          {error, atom(), term(), list(), term()}.
call(WASM, FuncRef, Args, ImportFun) ->
    call(WASM, FuncRef, Args, ImportFun, #{}).

%% @equiv call(WASM, FuncRef, Args, ImportFun, State, #{})
-spec call(wasm(), string() | binary() | non_neg_integer(), list(),
           beamr:import_fun(), term()) ->
          {ok, list(), term()} | {error, term()} |
          {error, atom(), term(), list(), term()}.
call(WASM, FuncRef, Args, ImportFun, State) ->
    call(WASM, FuncRef, Args, ImportFun, State, #{}).

%% @doc Calls with an import fun and a state threaded through it; `Opts'
%% is passed to the fun as its third argument.
%%
%% Errors: `{error, {invalid_args, Args}}' (not numbers, out of range,
%% wrong count), `{error, function_not_found}', `{error, {trap, _}}',
%% `{error, Class, Reason, Stack, State}' if the import fun raises.
-spec call(wasm(), string() | binary() | non_neg_integer(), list(),
           beamr:import_fun(), term(), term()) ->
          {ok, list(), term()} | {error, term()} |
          {error, atom(), term(), list(), term()}.
call(WASM, FuncRef, Args, ImportFun, State, Opts) ->
    case is_list(Args) andalso lists:all(fun is_arg/1, Args) of
        true -> beamr:call(WASM, FuncRef, Args, ImportFun, State, Opts);
        false -> {error, {invalid_args, Args}}
    end.

is_arg(A) when is_number(A) -> true;
is_arg(A) -> A =:= nan orelse A =:= infinity orelse A =:= '-infinity'.

%% @doc Stops the instance (idempotent).
-spec stop(wasm()) -> ok.
stop(WASM) ->
    beamr:stop(WASM).

%% @doc Sends a raw command, HyperBEAM's wire shape:
%% `{command, term_to_binary(Command)}' with `Command' one of
%% `{call, FuncName, Args}', `{indirect_call, TableIndex, Args}' or
%% `{import_response, Results}'. A call runs in a helper process;
%% the sender receives `{import, Module, Func, Args, Signature}' for each
%% import (answer it with an `import_response' command), then
%% `{execution_result, Results}' or `{error, Reason}'.
-spec wasm_send(wasm(), {command, binary()}) -> ok.
wasm_send(WASM, {command, Bin}) when is_pid(WASM), is_binary(Bin) ->
    case binary_to_term(Bin, [safe]) of
        {call, Func, Args} -> raw_call(WASM, Func, Args);
        {indirect_call, Index, Args} -> raw_call(WASM, Index, Args);
        {import_response, Results} -> raw_answer(WASM, Results);
        Other -> erlang:error(badarg, [WASM, {command, Other}])
    end.

raw_call(WASM, Func, Args) ->
    Sender = self(),
    Worker = spawn(fun() -> raw_worker(Sender, WASM, Func, Args) end),
    put({?MODULE, raw, WASM}, Worker),
    ok.

raw_answer(WASM, Results) ->
    case get({?MODULE, raw, WASM}) of
        Worker when is_pid(Worker) -> Worker ! {?MODULE, answer, Results};
        undefined -> ok
    end,
    ok.

raw_worker(Sender, WASM, Func, Args) ->
    Mon = erlang:monitor(process, Sender),
    Fun = fun(S, #{module := M, func := F, args := A, func_sig := Sig}, _) ->
                  Sender ! {import, M, F, A, Sig},
                  receive
                      {?MODULE, answer, Results} -> {ok, Results, S};
                      {'DOWN', Mon, process, _, _} -> exit(normal)
                  end
          end,
    Sender ! case call(WASM, Func, Args, Fun, #{}, #{}) of
                 {ok, Results, _} -> {execution_result, Results};
                 {error, Reason} -> {error, Reason};
                 {error, Class, Reason, _Stack, _} -> {error, {Class, Reason}}
             end.

%% @doc A copy of the instance's memory.
-spec serialize(wasm()) -> {ok, binary()} | {error, term()}.
serialize(WASM) ->
    beamr:serialize(WASM).

%% @doc Restores the instance's memory from {@link serialize/1} output.
-spec deserialize(wasm(), binary()) -> ok | {error, term()}.
deserialize(WASM, Memory) ->
    beamr:deserialize(WASM, Memory).

%% @doc The default import fun: answers `[0]' to every import and keeps
%% the state (extra results are ignored, so it fits imports without
%% results too).
-spec stub(term(), term(), term()) -> {ok, [0], term()}.
stub(Msg1, _Msg2, _Opts) ->
    {ok, [0], Msg1}.
