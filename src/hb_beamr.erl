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
%% whichever process started them. Imports are resolved lazily (at their
%% first call), as in HyperBEAM.
%%
%% == Modes ==
%% The `beamr' application's environment key `hb_beamr_mode' chooses
%% the shapes, read by each {@link start/3} (an instance keeps the mode
%% it started with):
%% <ul>
%% <li>`seed' (the default): the seed document's shapes: import module
%%     and function names are binaries, a failing call is
%%     `{error, Reason}';</li>
%% <li>`hyperbeam': the shapes HyperBEAM's own driver gives today, so
%%     that its `dev_wasm' code runs unchanged: the import map's
%%     `module' and `func' are strings (charlists), as is `func_sig';
%%     `call/4,5,6' return `{error, Reason, State}' when the wasm side
%%     fails (trap, unknown function, timeout, ...), `State' being the
%%     last state the import fun returned. Invalid arguments stay
%%     `{error, {invalid_args, Args}}' and a raising import fun
%%     `{error, Class, Reason, Stack, State}' in both modes.</li>
%% </ul>
%% Set it with `application:set_env(beamr, hb_beamr_mode, hyperbeam)' or
%% in sys.config: `{beamr, [{hb_beamr_mode, hyperbeam}]}'.
%%
%% In both modes Emscripten's `env.invoke_*' imports (JS-style
%% exceptions and setjmp) run natively: `invoke_vjj(Index, A, B)' calls
%% the function at `Index' of table 0 with `A, B' inside the engine,
%% and `env._emscripten_throw_longjmp' unwinds to the innermost
%% `invoke_*', which returns 0 after `setThrew(1, 0)' (Emscripten's
%% setjmp/longjmp protocol). A trap inside the called function is a
%% trap of the call (Emscripten rethrows what is not a C++ exception or
%% longjmp); C++ exceptions thrown through `__cxa_throw' (an import) are
%% not caught by `invoke_*': that import goes to the import fun, and a
%% throw it cannot express ends the call.
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
            HbMode = mode(),
            StartOpts = maps:merge(maps:with([wasi, limits], Opts),
                                   #{detached => true,
                                     lazy_imports => true,
                                     '$hb_mode' => HbMode,
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

%% The mode new instances get (the application's environment).
mode() ->
    case application:get_env(beamr, hb_beamr_mode, seed) of
        hyperbeam -> hyperbeam;
        _ -> seed
    end.

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
        {error, Reason, _State} -> {error, Reason};
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
%% `{error, Class, Reason, Stack, State}' if the import fun raises. In
%% the `hyperbeam' mode the wasm-side errors are `{error, Reason,
%% State}' and the fun gets string names (see Modes above).
-spec call(wasm(), string() | binary() | non_neg_integer(), list(),
           beamr:import_fun(), term(), term()) ->
          {ok, list(), term()} | {error, term()} | {error, term(), term()} |
          {error, atom(), term(), list(), term()}.
call(WASM, FuncRef, Args, ImportFun, State, Opts) ->
    case is_list(Args) andalso lists:all(fun is_arg/1, Args) of
        true -> mode_call(beamr:hb_mode(WASM), WASM, FuncRef, Args,
                          ImportFun, State, Opts);
        false -> {error, {invalid_args, Args}}
    end.

mode_call(seed, WASM, FuncRef, Args, ImportFun, State, Opts) ->
    beamr:call(WASM, FuncRef, Args, ImportFun, State, Opts);
mode_call(hyperbeam, WASM, FuncRef, Args, ImportFun, State, Opts) ->
    beamr:call_state(WASM, FuncRef, Args, string_names(ImportFun), State,
                     Opts).

%% HyperBEAM's driver names imports with strings.
string_names(Fun) when is_function(Fun, 3) ->
    fun(S, Import = #{module := M, func := F}, O) ->
            Fun(S, Import#{module := binary_to_list(M),
                           func := binary_to_list(F)}, O)
    end;
string_names(Other) ->
    Other.

is_arg(A) when is_number(A) -> true;
is_arg(A) -> A =:= nan orelse A =:= infinity orelse A =:= '-infinity'.

%% @doc Stops the instance (idempotent).
-spec stop(wasm()) -> ok.
stop(WASM) ->
    beamr:stop(WASM).

%% @doc Sends a raw command, HyperBEAM's wire shape:
%% `{command, term_to_binary(Command)}' with `Command' one of
%% <ul>
%% <li>`{call, FuncName, Args}', `{indirect_call, TableIndex, Args}': the
%%     call runs in a helper process; the sender receives `{import,
%%     Module, Func, Args, Signature}' for each import (answer it with
%%     an `import_response' command; names are strings in the
%%     `hyperbeam' mode), then `{execution_result, Results}' or
%%     `{error, Reason}';</li>
%% <li>`{import_response, Results}';</li>
%% <li>`{size}': the sender receives `{execution_result, Bytes}' (the
%%     size of memory 0);</li>
%% <li>`{read, Offset, Length}': `{execution_result, Binary}';</li>
%% <li>`{write, Offset, Data}': `ok'.</li>
%% </ul>
%% These answer as HyperBEAM's driver does; a failing size, read or
%% write answers `{error, Reason}' (`out_of_bounds', `no_memory',
%% `stopped').
%%
%% Example: `hb_beamr:wasm_send(WASM, {command, term_to_binary({size})}),
%% receive {execution_result, Size} -> Size end'.
-spec wasm_send(wasm(), {command, binary()}) -> ok.
wasm_send(WASM, {command, Bin}) when is_pid(WASM), is_binary(Bin) ->
    case binary_to_term(Bin, [safe]) of
        {call, Func, Args} -> raw_call(WASM, Func, Args);
        {indirect_call, Index, Args} -> raw_call(WASM, Index, Args);
        {import_response, Results} -> raw_answer(WASM, Results);
        {size} -> raw_reply(beamr:memory_size(WASM));
        {read, Off, Len} when is_integer(Off), is_integer(Len) ->
            raw_reply(raw_read(WASM, Off, Len));
        {write, Off, Data} when is_integer(Off), is_binary(Data) ->
            raw_reply(raw_write(WASM, Off, Data));
        Other -> erlang:error(badarg, [WASM, {command, Other}])
    end.

raw_read(_WASM, Off, Len) when Off < 0; Len < 0 -> {error, out_of_bounds};
raw_read(WASM, Off, Len) -> beamr:read(WASM, Off, Len).

raw_write(_WASM, Off, _Data) when Off < 0 -> {error, out_of_bounds};
raw_write(WASM, Off, Data) -> beamr:write(WASM, Off, Data).

raw_reply({ok, Value}) ->
    self() ! {execution_result, Value},
    ok;
raw_reply(Answer) ->
    self() ! Answer,
    ok.

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
    Names = case beamr:hb_mode(WASM) of
                hyperbeam -> fun binary_to_list/1;
                seed -> fun(B) -> B end
            end,
    Fun = fun(S, #{module := M, func := F, args := A, func_sig := Sig}, _) ->
                  Sender ! {import, Names(M), Names(F), A, Sig},
                  receive
                      {?MODULE, answer, Results} -> {ok, Results, S};
                      {'DOWN', Mon, process, _, _} -> exit(normal)
                  end
          end,
    Sender ! case beamr:call(WASM, Func, Args, Fun, #{}, #{}) of
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
