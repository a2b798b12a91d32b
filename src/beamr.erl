%% @doc beamr: WebAssembly on the Erlang VM.
%%
%% Compile a module once with {@link compile/1}, start any number of
%% instances from it with {@link start/2} (or start straight from bytes),
%% call their exports by name or by index in table 0 with
%% {@link call/3}, {@link call/4} or {@link call/6}, and reach their
%% memory, globals and tables.
%%
%% == Execution ==
%% Wasm runs in the calling process, on a normal scheduler, in fuel
%% slices that yield to the VM about every millisecond; nothing runs on a
%% dirty scheduler or a thread of its own. When the wasm code calls an
%% import, the call suspends and the import fun runs in the caller's own
%% process: `ImportFun(State, Import, Opts) -> {ok, Results, NewState}'.
%% It may use this module on the same instance (memory, and even calls
%% into other exports: they nest).
%%
%% An instance is a process (its owner). One call runs at a time per
%% instance; calls from other processes queue. A caller that dies
%% mid-call releases the instance. {@link stop/1} ends a running call at
%% once. Memory, global and table access do not queue.
%%
%% == Values ==
%% i32 and i64 are integers (results signed; arguments accepted from
%% -2^31 to 2^32-1 and from -2^63 to 2^64-1, anything else is
%% `{error, {invalid_args, Args}}'). f32 and f64 are floats; the atoms
%% `nan', `infinity' and `` '-infinity' '' stand for the values Erlang
%% floats cannot hold, both ways; integers are accepted for float
%% parameters. v128 is a non-negative integer below 2^128 (lane 0 in the
%% low bits). funcref is `null' or an opaque term from a table read or a
%% result; externref is `null' or any Erlang term (copied).
%%
%% == Errors ==
%% Data and runtime failures are `{error, Reason}':
%% <ul>
%% <li>`{malformed, Detail}', `{validation, Detail}': the binary is not
%%     a valid module; `Detail' is `#{reason := atom(), message :=
%%     binary(), offset := non_neg_integer(), func := integer() |
%%     undefined}' with `reason' one of the atoms of br_errors.h (for
%%     example `type_mismatch', `magic_header_not_detected');</li>
%% <li>`{link, Detail}': an import value does not fit, or instantiation
%%     exceeded a limit;</li>
%% <li>`{trap, #{reason := atom(), message := binary(), stack :=
%%     [{FuncIndex, Offset}]}}': the wasm code trapped (`unreachable',
%%     `out_of_bounds_memory_access', `integer_divide_by_zero',
%%     `call_stack_exhausted', `host_error' when an import answered
%%     with the wrong number or types of results, ...);</li>
%% <li>`{invalid_args, Args}', `function_not_found', `timeout',
%%     `out_of_fuel', `stopped', `{unhandled_import, Module, Name}',
%%     `out_of_bounds', `no_memory', `not_found', `immutable',
%%     `limit', `{unsupported, aot}'.</li>
%% </ul>
%% An import fun that raises makes the call return
%% `{error, Class, Reason, Stacktrace, State}' (the State it was given).
%%
%% == Example ==
%% ```
%% {ok, Bin} = file:read_file("pow_calculator.wasm"),
%% {ok, Mod} = beamr:compile(Bin),
%% {ok, Inst} = beamr:start(Mod),
%% Mul = fun(S, #{func := <<"mul">>, args := [A, B]}, _) ->
%%               {ok, [A * B], S}
%%       end,
%% {ok, [32], _} = beamr:call(Inst, <<"pow">>, [2, 5], Mul, #{}, #{}),
%% ok = beamr:stop(Inst).
%% '''
%% SPDX-License-Identifier: Apache-2.0
-module(beamr).
-compile(warn_missing_spec).

-export([compile/1, start/1, start/2, stop/1,
         call/3, call/4, call/6,
         imports/1, exports/1,
         memory_size/1, read/3, write/3, read_string/2, read_string/3,
         grow/2, serialize/1, deserialize/2,
         global_get/2, global_set/3, table_size/2, table_get/3,
         signature/2]).

-export_type([wasm_module/0, instance/0, value/0, valtype/0, externtype/0,
              limits/0, func_ref/0, import/0, import_fun/0,
              start_opts/0, call_opts/0, error_reason/0]).

-record(beamr_module, {
    res :: reference(),
    imports :: [{binary(), binary(), externtype()}],
    exports :: [{binary(), externtype()}],
    info :: tuple()
}).

-opaque wasm_module() :: #beamr_module{}.
-type instance() :: pid().
-type valtype() :: i32 | i64 | f32 | f64 | v128 | funcref | externref.
-type value() :: integer() | float() | nan | infinity | '-infinity' |
                 null | term().
-type limits() :: #{min := non_neg_integer(),
                    max := non_neg_integer() | undefined,
                    is64 := boolean(), shared := boolean()}.
-type externtype() :: {func, [valtype()], [valtype()]} |
                      {table, valtype(), limits()} |
                      {memory, limits()} |
                      {global, valtype(), const | var} |
                      {tag, [valtype()]}.
-type func_ref() :: binary() | string() | non_neg_integer().
-type import() :: #{instance := instance(), module := binary(),
                    func := binary(), args := [value()],
                    func_sig := string()}.
-type import_fun() :: fun((State :: term(), import(), Opts :: term()) ->
                              {ok, [value()], NewState :: term()}).
-type import_value() :: {memory, non_neg_integer(),
                         non_neg_integer() | undefined} |
                        {table, non_neg_integer(),
                         non_neg_integer() | undefined} |
                        {global, value()}.
-type start_opts() :: #{limits => #{max_memory_pages => pos_integer(),
                                    max_table_size => pos_integer(),
                                    max_call_depth => pos_integer()},
                        imports => #{{binary(), binary()} => import_value()},
                        import_fun => import_fun(),
                        state => term(),
                        detached => boolean()}.
-type call_opts() :: #{fuel => pos_integer() | infinity,
                       timeout => timeout(),
                       fuel_slice => pos_integer(),
                       import_fun => import_fun(),
                       state => term(),
                       atom() => term()}.
-type error_reason() :: {malformed | validation | link, map()} |
                        {trap, map()} | {invalid_args, term()} |
                        function_not_found | timeout | out_of_fuel |
                        stopped | {unhandled_import, binary(), binary()} |
                        out_of_bounds | no_memory | not_found | immutable |
                        limit | {unsupported, aot} | term().

%% ------------------------------------------------------------------
%% Modules and instances

%% @doc Decodes, validates and compiles a module once; start any number
%% of instances from the result.
%%
%% Errors: `{error, {malformed, Detail}}', `{error, {validation,
%% Detail}}'.
%%
%% Example: `{ok, Mod} = beamr:compile(Bin)'.
-spec compile(binary()) -> {ok, wasm_module()} | {error, error_reason()}.
compile(Bin) when is_binary(Bin) ->
    case beamr_nif:module_new(Bin) of
        {ok, Res} ->
            Imports = beamr_nif:module_imports(Res),
            {ok, #beamr_module{res = Res, imports = Imports,
                               exports = beamr_nif:module_exports(Res),
                               info = import_info(Imports)}};
        {error, _} = Error ->
            Error
    end;
compile(Other) ->
    erlang:error(badarg, [Other]).

%% @equiv start(ModuleOrBinary, #{})
-spec start(wasm_module() | binary()) ->
          {ok, instance()} | {error, error_reason()}.
start(ModuleOrBinary) ->
    start(ModuleOrBinary, #{}).

%% @doc Instantiates a module (or a binary, compiled on the way) and runs
%% its start function in the calling process.
%%
%% Options:
%% <ul>
%% <li>`limits': `#{max_memory_pages, max_table_size, max_call_depth}'
%%     for this instance (the engine's defaults otherwise);</li>
%% <li>`imports': values for memory, table and global imports, keyed by
%%     `{ModuleName, FieldName}': `{memory, MinPages, MaxPages |
%%     undefined}', `{table, Min, Max | undefined}', `{global, Value}'.
%%     An import not listed gets a fresh object of its declared type
%%     (globals start at zero). Function imports are always served by
%%     the import fun of each call;</li>
%% <li>`import_fun', `state': serve the imports of the start function;
%%     </li>
%% <li>`detached': if true, the instance outlives the process that
%%     started it (default false: it stops when that process dies).</li>
%% </ul>
%%
%% Errors: those of {@link compile/1}, `{error, {link, Detail}}',
%% `{error, {trap, Detail}}' (segment initialisation or the start
%% function trapped).
%%
%% Example: `{ok, Inst} = beamr:start(Mod, #{limits => #{max_memory_pages
%% => 16}})'.
-spec start(wasm_module() | binary(), start_opts()) ->
          {ok, instance()} | {error, error_reason()}.
start(Bin, Opts) when is_binary(Bin) ->
    case compile(Bin) of
        {ok, Mod} -> start(Mod, Opts);
        Error -> Error
    end;
start(Mod = #beamr_module{res = Res, imports = Imports}, Opts)
  when is_map(Opts) ->
    Values = maps:get(imports, Opts, #{}),
    Specs = [maps:get({M, N}, Values, default) || {M, N, _} <- Imports],
    Limits = check_limits(maps:get(limits, Opts, #{})),
    case beamr_nif:instance_new(Res, Limits, Specs) of
        {ok, Inst, HasStart} ->
            Creator = case maps:get(detached, Opts, false) of
                          true -> none;
                          false -> self()
                      end,
            Pid = beamr_instance:start(Inst, Mod#beamr_module.info, Mod,
                                       Creator),
            run_start(Pid, HasStart, Opts);
        {error, _} = Error ->
            Error
    end;
start(Mod, Opts) ->
    erlang:error(badarg, [Mod, Opts]).

check_limits(Limits) when is_map(Limits) ->
    maps:foreach(
      fun(K, V) when (K =:= max_memory_pages orelse K =:= max_table_size
                      orelse K =:= max_call_depth), is_integer(V), V > 0 ->
              ok;
         (K, V) ->
              erlang:error(badarg, [#{limits => #{K => V}}])
      end, Limits),
    Limits;
check_limits(Other) ->
    erlang:error(badarg, [#{limits => Other}]).

run_start(Pid, false, _Opts) ->
    {ok, Pid};
run_start(Pid, true, Opts) ->
    Fun = maps:get(import_fun, Opts, undefined),
    State = maps:get(state, Opts, undefined),
    case call(Pid, '$start', [], Fun, State, Opts) of
        {ok, _, _} ->
            {ok, Pid};
        Error ->
            stop(Pid),
            Error
    end.

%% @doc Stops an instance: a running call ends at once with
%% `{error, stopped}', queued calls get `{error, stopped}', and the
%% owner process exits. Idempotent: stopping a stopped instance is ok.
-spec stop(instance()) -> ok.
stop(Pid) when is_pid(Pid) ->
    Mon = erlang:monitor(process, Pid),
    Pid ! {beamr_stop, self(), Mon},
    receive
        {'DOWN', Mon, process, Pid, _} -> ok
    after 5000 ->
        erlang:demonitor(Mon, [flush]),
        ok
    end.

%% @doc The imports of a module or an instance, in import order.
%% Example: `[{<<"my_lib">>, <<"mul">>, {func, [i32, i32], [i32]}}]'.
-spec imports(wasm_module() | instance()) ->
          [{binary(), binary(), externtype()}] | {error, stopped}.
imports(#beamr_module{imports = Imports}) ->
    Imports;
imports(Pid) when is_pid(Pid) ->
    with_module(Pid, fun(#beamr_module{imports = I}) -> I end).

%% @doc The exports of a module or an instance, in export order.
%% Example: `[{<<"fac">>, {func, [f64], [f64]}}, {<<"memory">>,
%% {memory, #{min => 1, ...}}}]'.
-spec exports(wasm_module() | instance()) ->
          [{binary(), externtype()}] | {error, stopped}.
exports(#beamr_module{exports = Exports}) ->
    Exports;
exports(Pid) when is_pid(Pid) ->
    with_module(Pid, fun(#beamr_module{exports = E}) -> E end).

%% @doc A function type in the compact form hb_beamr uses: parameter
%% letters in parentheses, then result letters; `i' i32, `I' i64, `f'
%% f32, `F' f64, `v' v128, `r' funcref, `e' externref. Example:
%% `signature([i32, i32], [i32]) =:= "(ii)i"'.
-spec signature([valtype()], [valtype()]) -> string().
signature(Params, Results) ->
    "(" ++ [letter(P) || P <- Params] ++ ")" ++ [letter(R) || R <- Results].

letter(i32) -> $i;
letter(i64) -> $I;
letter(f32) -> $f;
letter(f64) -> $F;
letter(v128) -> $v;
letter(funcref) -> $r;
letter(externref) -> $e.

%% One {Module, Name, Signature} per import, indexed by import index + 1
%% (the NIF reports a pending import by its index).
import_info(Imports) ->
    list_to_tuple([{M, N, case T of
                              {func, P, R} -> signature(P, R);
                              _ -> ""
                          end} || {M, N, T} <- Imports]).

%% ------------------------------------------------------------------
%% Calls

%% @doc Calls an export (by name) or the function at an index of table
%% 0. An import reached during the call is an error
%% (`{unhandled_import, Module, Name}'): use {@link call/4} or
%% {@link call/6} to serve imports.
%%
%% Example: `{ok, [120.0]} = beamr:call(Inst, <<"fac">>, [5.0])'.
-spec call(instance(), func_ref(), [value()]) ->
          {ok, [value()]} | {error, error_reason()}.
call(Pid, Func, Args) ->
    call(Pid, Func, Args, #{}).

%% @doc Calls with options: `fuel' (instructions, about; `{error,
%% out_of_fuel}' when spent), `timeout' (milliseconds, including the
%% wait for the instance; `{error, timeout}' leaves the instance
%% usable), `fuel_slice' (instructions per slice: a test knob; slices
%% adapt to about 0.2 ms otherwise), `import_fun' and `state' (the
%% final state is dropped: use {@link call/6} to get it back).
%%
%% Example: `beamr:call(Inst, <<"loop">>, [], #{timeout => 100})'.
-spec call(instance(), func_ref(), [value()], call_opts()) ->
          {ok, [value()]} | {error, error_reason()} |
          {error, atom(), term(), list(), term()}.
call(Pid, Func, Args, Opts) when is_map(Opts) ->
    Fun = maps:get(import_fun, Opts, undefined),
    State = maps:get(state, Opts, undefined),
    case call(Pid, Func, Args, Fun, State, Opts) of
        {ok, Results, _} -> {ok, Results};
        Error -> Error
    end.

%% @doc Calls with an import fun and a state threaded through its
%% invocations: `ImportFun(State, #{instance, module, func, args,
%% func_sig}, Opts) -> {ok, Results, NewState}'. `Opts' is handed to the
%% fun unchanged (and read for `fuel', `timeout' and `fuel_slice').
%% Extra results are ignored; too few or mistyped ones trap the wasm
%% code (`host_error'). If the fun raises, the call is abandoned and
%% the result is `{error, Class, Reason, Stacktrace, State}'.
%%
%% Example:
%% `{ok, [32], N} = beamr:call(Inst, <<"pow">>, [2, 5], fun(N, #{args :=
%% [A, B]}, _) -> {ok, [A * B], N + 1} end, 0, #{})'.
-spec call(instance(), func_ref() | '$start', [value()],
           import_fun() | undefined, term(), call_opts() | term()) ->
          {ok, [value()], term()} | {error, error_reason()} |
          {error, atom(), term(), list(), term()}.
call(Pid, Func, Args, Fun, State, Opts) when is_pid(Pid) ->
    case {target(Func), is_list(Args)} of
        {error, _} ->
            {error, function_not_found};
        {_, false} ->
            {error, {invalid_args, Args}};
        {Target, true} ->
            Limits = call_limits(Opts),
            with_lease(Pid, element(2, Limits),
                       fun(Res, Info) ->
                               drive(beamr_nif:call_start(Res, Target, Args,
                                                          Limits),
                                     Pid, Info, Fun, State, Opts)
                       end)
    end.

target(Name) when is_binary(Name) -> Name;
target(Index) when is_integer(Index), Index >= 0 -> Index;
target('$start') -> '$start';
target(Name) when is_list(Name) ->
    case unicode:characters_to_binary(Name) of
        Bin when is_binary(Bin) -> Bin;
        _ -> error
    end;
target(_) -> error.

%% {Fuel, Deadline (monotonic ns or infinity), Slice}
call_limits(Opts) when is_map(Opts) ->
    Fuel = case maps:get(fuel, Opts, infinity) of
               infinity -> -1;
               F when is_integer(F), F > 0 -> F;
               F -> erlang:error(badarg, [#{fuel => F}])
           end,
    Deadline = case maps:get(timeout, Opts, infinity) of
                   infinity -> infinity;
                   T when is_integer(T), T >= 0 ->
                       erlang:monotonic_time(nanosecond) + T * 1000000;
                   T -> erlang:error(badarg, [#{timeout => T}])
               end,
    Slice = case maps:get(fuel_slice, Opts, 0) of
                S when is_integer(S), S >= 0 -> S;
                S -> erlang:error(badarg, [#{fuel_slice => S}])
            end,
    {Fuel, Deadline, Slice};
call_limits(_NotAMap) ->
    {-1, infinity, 0}.


%% Runs the call to its end, serving each import in this process.
drive({ok, Results}, _Pid, _Info, _Fun, State, _Opts) ->
    {ok, Results, State};
drive({import, Call, Index, Args}, Pid, Info, Fun, State, Opts) ->
    {Module, Name, Sig} = element(Index + 1, Info),
    Import = #{instance => Pid, module => Module, func => Name,
               args => Args, func_sig => Sig},
    serve(Fun, Import, Call, Pid, Info, State, Opts);
drive({error, _} = Error, _Pid, _Info, _Fun, _State, _Opts) ->
    Error.

serve(undefined, #{module := M, func := N}, Call, _Pid, _Info, _State,
      _Opts) ->
    ok = beamr_nif:call_abort(Call),
    {error, {unhandled_import, M, N}};
serve(Fun, Import, Call, Pid, Info, State, Opts) ->
    try Fun(State, Import, Opts) of
        {ok, Results, NewState} ->
            drive(beamr_nif:call_resume(Call, Results), Pid, Info, Fun,
                  NewState, Opts);
        _BadReturn ->
            %% Not {ok, Results, State}: answer with something that
            %% traps the wasm code (host_error), as wrong results do.
            drive(beamr_nif:call_resume(Call, bad_return), Pid, Info, Fun,
                  State, Opts)
    catch
        Class:Reason:Stack ->
            ok = beamr_nif:call_abort(Call),
            {error, Class, Reason, Stack, State}
    end.

%% ------------------------------------------------------------------
%% Leases: one caller at a time per instance

%% Runs Fun(Res, Info) while this process holds the instance. A nested
%% call (from an import fun of a call this process is running) reuses
%% the lease it already has.
with_lease(Pid, Deadline, Fun) ->
    case get({beamr_lease, Pid}) of
        {Res, Info} ->
            Fun(Res, Info);
        undefined ->
            case acquire(Pid, Deadline) of
                {ok, Mon, Res, Info} ->
                    put({beamr_lease, Pid}, {Res, Info}),
                    try
                        Fun(Res, Info)
                    after
                        erase({beamr_lease, Pid}),
                        Pid ! {beamr_release, self(), Mon},
                        erlang:demonitor(Mon, [flush])
                    end;
                {error, _} = Error ->
                    Error
            end
    end.

acquire(Pid, Deadline) ->
    Mon = erlang:monitor(process, Pid),
    Pid ! {beamr_acquire, self(), Mon},
    receive
        {beamr_granted, Mon, Res, Info} ->
            {ok, Mon, Res, Info};
        {'DOWN', Mon, process, Pid, _} ->
            {error, stopped}
    after wait_ms(Deadline) ->
        %% Withdraw the request; a grant that crossed it is released
        %% by the same message.
        Pid ! {beamr_release, self(), Mon},
        erlang:demonitor(Mon, [flush]),
        receive {beamr_granted, Mon, _, _} -> ok after 0 -> ok end,
        {error, timeout}
    end.

wait_ms(infinity) ->
    infinity;
wait_ms(Deadline) ->
    Left = Deadline - erlang:monotonic_time(nanosecond),
    max(0, (Left + 999999) div 1000000).

%% The instance resource without queueing (memory, globals, tables).
with_res(Pid, Fun) when is_pid(Pid) ->
    case get({beamr_lease, Pid}) of
        {Res, _Info} ->
            Fun(Res);
        undefined ->
            case get_info(Pid) of
                {ok, Res, _Info, _Mod} -> Fun(Res);
                Error -> Error
            end
    end.

with_module(Pid, Fun) ->
    case get_info(Pid) of
        {ok, _Res, _Info, Mod} -> Fun(Mod);
        Error -> Error
    end.

get_info(Pid) ->
    Mon = erlang:monitor(process, Pid),
    Pid ! {beamr_get, self(), Mon},
    receive
        {beamr_info, Mon, Res, Info, Mod} ->
            erlang:demonitor(Mon, [flush]),
            {ok, Res, Info, Mod};
        {'DOWN', Mon, process, Pid, _} ->
            {error, stopped}
    end.

%% ------------------------------------------------------------------
%% Memory (memory 0), globals, tables

%% @doc The size of memory 0 in bytes.
%% Errors: `no_memory', `stopped'.
%% Example: `{ok, 65536} = beamr:memory_size(Inst)'.
-spec memory_size(instance()) ->
          {ok, non_neg_integer()} | {error, error_reason()}.
memory_size(Pid) ->
    with_res(Pid, fun beamr_nif:memory_size/1).

%% @doc Reads `Length' bytes at `Offset' of memory 0.
%% Errors: `out_of_bounds' (also for negative offsets), `no_memory',
%% `stopped'.
%% Example: `{ok, <<"Hello">>} = beamr:read(Inst, 66, 5)'.
-spec read(instance(), integer(), integer()) ->
          {ok, binary()} | {error, error_reason()}.
read(Pid, Offset, Length) when is_integer(Offset), is_integer(Length) ->
    with_res(Pid, fun(Res) ->
                          beamr_nif:memory_read(Res, Offset, Length)
                  end);
read(Pid, Offset, Length) ->
    erlang:error(badarg, [Pid, Offset, Length]).

%% @doc Writes `Data' (iodata) at `Offset' of memory 0.
%% Errors: as {@link read/3}.
%% Example: `ok = beamr:write(Inst, 0, <<"hi">>)'.
-spec write(instance(), integer(), iodata()) ->
          ok | {error, error_reason()}.
write(Pid, Offset, Data) when is_integer(Offset) ->
    Bin = iolist_to_binary(Data),
    with_res(Pid, fun(Res) -> beamr_nif:memory_write(Res, Offset, Bin) end);
write(Pid, Offset, Data) ->
    erlang:error(badarg, [Pid, Offset, Data]).

%% @equiv read_string(Instance, Offset, infinity)
-spec read_string(instance(), integer()) ->
          {ok, binary()} | {error, error_reason()}.
read_string(Pid, Offset) ->
    read_string(Pid, Offset, infinity).

%% @doc Reads the NUL-terminated string at `Offset' (without the NUL),
%% looking at most `Max' bytes ahead.
%% Errors: `out_of_bounds' when no NUL comes before the limit.
-spec read_string(instance(), integer(), non_neg_integer() | infinity) ->
          {ok, binary()} | {error, error_reason()}.
read_string(Pid, Offset, Max) when is_integer(Offset) ->
    with_res(Pid, fun(Res) ->
                          beamr_nif:memory_read_cstring(Res, Offset, Max)
                  end).

%% @doc Grows memory 0 by `Pages' pages of 64 KiB; returns the old size
%% in pages. Errors: `limit' (the declared maximum or the instance's
%% `max_memory_pages'), `no_memory'.
-spec grow(instance(), non_neg_integer()) ->
          {ok, non_neg_integer()} | {error, error_reason()}.
grow(Pid, Pages) when is_integer(Pages), Pages >= 0 ->
    with_res(Pid, fun(Res) -> beamr_nif:memory_grow(Res, Pages) end).

%% @doc A copy of the whole of memory 0 (a checkpoint).
-spec serialize(instance()) -> {ok, binary()} | {error, error_reason()}.
serialize(Pid) ->
    with_res(Pid, fun(Res) ->
                          case beamr_nif:memory_size(Res) of
                              {ok, Size} ->
                                  beamr_nif:memory_read(Res, 0, Size);
                              Error ->
                                  Error
                          end
                  end).

%% @doc Restores memory 0 from {@link serialize/1} output, growing the
%% memory first if the checkpoint is larger.
-spec deserialize(instance(), binary()) -> ok | {error, error_reason()}.
deserialize(Pid, Memory) when is_binary(Memory) ->
    with_res(Pid, fun(Res) -> restore(Res, Memory) end).

restore(Res, Memory) ->
    case beamr_nif:memory_size(Res) of
        {ok, Size} when Size >= byte_size(Memory) ->
            beamr_nif:memory_write(Res, 0, Memory);
        {ok, Size} ->
            Pages = (byte_size(Memory) - Size + 65535) div 65536,
            case beamr_nif:memory_grow(Res, Pages) of
                {ok, _} -> beamr_nif:memory_write(Res, 0, Memory);
                Error -> Error
            end;
        Error ->
            Error
    end.

%% @doc The value of an exported global.
%% Errors: `not_found'.
%% Example: `{ok, 42} = beamr:global_get(Inst, <<"meaning_of_life">>)'.
-spec global_get(instance(), binary() | string()) ->
          {ok, value()} | {error, error_reason()}.
global_get(Pid, Name) ->
    N = iolist_to_binary(Name),
    with_res(Pid, fun(Res) -> beamr_nif:global_get(Res, N) end).

%% @doc Sets an exported mutable global.
%% Errors: `not_found', `immutable', `{invalid_args, [Value]}'.
-spec global_set(instance(), binary() | string(), value()) ->
          ok | {error, error_reason()}.
global_set(Pid, Name, Value) ->
    N = iolist_to_binary(Name),
    with_res(Pid, fun(Res) -> beamr_nif:global_set(Res, N, Value) end).

%% @doc The size of a table, by export name or table index.
%% Errors: `no_table'.
-spec table_size(instance(), binary() | non_neg_integer()) ->
          {ok, non_neg_integer()} | {error, error_reason()}.
table_size(Pid, Table) ->
    with_res(Pid, fun(Res) -> beamr_nif:table_size(Res, Table) end).

%% @doc The entry at `Index' of a table: `null', a funcref (opaque) or
%% the Erlang term of an externref.
%% Errors: `no_table', `out_of_bounds'.
-spec table_get(instance(), binary() | non_neg_integer(), integer()) ->
          {ok, value()} | {error, error_reason()}.
table_get(Pid, Table, Index) when is_integer(Index) ->
    with_res(Pid, fun(Res) -> beamr_nif:table_get(Res, Table, Index) end).
