%% @doc beamr_call: how a call runs (moved out of `beamr', which keeps
%% the API: `beamr:call/3,4,6' and `beamr:call_state/6' come here).
%%
%% A call starts in the NIF when the instance's lease is free;
%% otherwise it queues at the owner process until granted. The call is
%% then driven to its end in the caller's process: each import the wasm
%% code makes comes back here and is served by the call's import fun
%% (or what the start bound), under the call's deadline (a watchdog
%% process ends the call when it passes); a WASI program waiting on an
%% empty stdin pipe waits here, in a receive.
%%
%% It calls back only `beamr''s public API: `beamr:exports/1' (the
%% parameter types of lane arguments) and `beamr:call_state/6' (a call
%% that queued at an instance that migrated meanwhile goes to the new
%% one).
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_call).

-export([run/6, export_type/2]).

%% @doc Runs a call of `Func' on the local instance `Pid' to its end:
%% the body of {@link beamr:call_state/6} for a local pid, with the
%% same results and errors.
-spec run(pid(), beamr:func_ref() | '$start', [beamr:value()],
          beamr:import_fun() | undefined, term(), beamr:call_opts() | term()) ->
          {ok, [beamr:value()], term()} | {error, beamr:error_reason()} |
          {error, beamr:error_reason(), term()} |
          {error, atom(), term(), list(), term()}.
run(Pid, Func, Args, Fun, State, Opts) ->
    case target(Func) of
        error ->
            {error, function_not_found, State};
        Target when is_list(Args) ->
            case beamr_v128:has_pair(Args) of
                false -> run_call(Pid, Target, Args, Fun, State, Opts);
                true -> lane_call(Pid, Target, Args, Fun, State, Opts)
            end;
        _ ->
            {error, {invalid_args, Args}}
    end.

run_call(Pid, Target, Args, Fun, State, Opts) ->
    Limits = call_limits(Opts),
    Deadline = element(2, Limits),
    C = #{pid => Pid, opts => Opts, deadline => Deadline, release => none},
    case Deadline of
        infinity ->
            start_and_drive(Pid, Target, Args, Limits, Fun, State, C);
        _ ->
            %% Import funs run under a watchdog (with_deadline/4).
            C1 = C#{dog => make_ref()},
            try start_and_drive(Pid, Target, Args, Limits, Fun, State, C1)
            after stop_watchdog(C1)
            end
    end.

start_and_drive(Pid, Target, Args, Limits, Fun, State, C) ->
    case beamr_nif:call_start(Pid, Target, Args, Limits) of
        busy -> queued_call(Pid, Target, Args, Limits, Fun, State, C);
        First -> drive(First, Fun, State, C)
    end.

%% Args hold `{Shape, Lanes}' pairs: those at v128 parameters become
%% integers (by the export's type; by table index, where the type is
%% only known in the NIF, every well-formed pair does). Invalid
%% arguments are reported as the caller gave them.
lane_call(Pid, Target, Args, Fun, State, Opts) ->
    Converted = beamr_v128:convert(Args, param_types(Pid, Target)),
    case run_call(Pid, Target, Converted, Fun, State, Opts) of
        {error, {invalid_args, _}} -> {error, {invalid_args, Args}};
        Result -> Result
    end.

param_types(Pid, Name) when is_binary(Name) ->
    case export_type(Pid, Name) of
        {func, Params, _} -> Params;
        _ -> []
    end;
param_types(_Pid, _Index) ->
    any.

%% @doc The type of an export of a running instance, or `none' (also
%% when the instance has stopped).
-spec export_type(pid(), binary()) -> beamr:externtype() | none.
export_type(Pid, Name) ->
    case beamr:exports(Pid) of
        {error, stopped} ->
            none;
        Exports ->
            case lists:keyfind(Name, 1, Exports) of
                {Name, Type} -> Type;
                false -> none
            end
    end.

target(Name) when is_binary(Name) -> Name;
target(Index) when is_integer(Index), Index >= 0 -> Index;
target('$start') -> '$start';
target('$parked') -> '$parked'; % beamr:resume/4
target(Name) when is_atom(Name) -> atom_to_binary(Name);
target(Name) when is_list(Name) ->
    case unicode:characters_to_binary(Name) of
        Bin when is_binary(Bin) -> Bin;
        _ -> error
    end;
target(_) -> error.

%% {Fuel, Deadline (monotonic ns or infinity), Slice}
call_limits(Opts) when Opts =:= #{} ->
    {-1, infinity, 0};
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
    beamr_suspend:limits({Fuel, Deadline, Slice}, Opts);
call_limits(_NotAMap) ->
    {-1, infinity, 0}.

%% Another process holds the instance: queue at the owner until it
%% grants the lease, then call (the NIF sees that this process holds
%% it).
queued_call(Pid, Target, Args, Limits, Fun, State, C) ->
    case acquire(Pid, element(2, Limits)) of
        {ok, Mon} ->
            try
                drive(beamr_nif:call_start(Pid, Target, Args, Limits), Fun,
                      State, C#{release => {Pid, self(), Mon}})
            after
                Pid ! {beamr_release, self(), Mon},
                erlang:demonitor(Mon, [flush])
            end;
        {error, {migrated, New}} ->
            %% Moved while this call waited: the new instance runs it.
            beamr:call_state(New, Target, Args, Fun, State,
                             maps:get(opts, C));
        {error, Reason} ->
            {error, Reason, State}
    end.

%% Runs the call to its end, serving each import in this process.
%% `C' holds the instance, the call's options and deadline.
drive({ok, Results}, _Fun, State, _C) ->
    {ok, Results, State};
drive({import, Call, {Module, Name, Sig}, Args}, Fun, State,
      C = #{pid := Pid}) ->
    Import = #{instance => Pid, module => Module, func => Name,
               args => Args, func_sig => Sig},
    serve(Fun, Import, Call, State, C);
drive({error, {invalid_args, _}} = Error, _Fun, _State, _C) ->
    Error;
drive({error, Reason}, _Fun, State, _C) ->
    {error, Reason, State};
drive({stdin_wait, Call, Pipe}, Fun, State, C) ->
    wait_stdin(Call, Pipe, Fun, State, C);
drive(busy, _Fun, State, _C) ->
    %% After a grant the lease is this process's; busy means the owner
    %% was replaced meanwhile (the instance stopped).
    {error, stopped, State}.

%% The program reads an empty stdin pipe: wait in this process (a
%% receive, no scheduler blocked) until the pipe has data or is closed,
%% then read again. The deadline and the instance's end still apply.
wait_stdin(Call, Pipe, Fun, State, C = #{pid := Pid, deadline := Deadline}) ->
    case beamr_nif:pipe_wait(Pipe) of
        ready ->
            drive(beamr_nif:call_resume(Call, '$retry'), Fun, State, C);
        wait ->
            Mon = erlang:monitor(process, Pid),
            receive
                {beamr_pipe, Pipe} ->
                    erlang:demonitor(Mon, [flush]),
                    drive(beamr_nif:call_resume(Call, '$retry'), Fun, State,
                          C);
                {'DOWN', Mon, process, Pid, _} ->
                    ok = beamr_nif:call_abort(Call),
                    {error, stopped, State}
            after wait_ms(Deadline) ->
                erlang:demonitor(Mon, [flush]),
                ok = beamr_nif:call_abort(Call),
                {error, timeout, State}
            end
    end.

%% No import fun in the call: what the start bound serves it.
serve(undefined, Import, Call, State, C = #{pid := Pid}) ->
    case beamr_nif:instance_data(Pid) of
        Data when is_map(Data) ->
            S = case State of
                    undefined -> maps:get(state, Data, undefined);
                    _ -> State
                end,
            serve({bound, Data}, Import, Call, S, C);
        _ ->
            unhandled(Import, Call, State)
    end;
serve(Fun, Import, Call, State, C = #{opts := Opts, deadline := Deadline}) ->
    try with_deadline(Deadline, Call, C,
                      fun() -> apply_import(Fun, State, Import, Opts) end) of
        '$beamr_timeout' ->
            {error, timeout, State};
        {done, Answer} ->
            answer(Answer, Fun, Import, Call, State, C)
    catch
        Class:Reason:Stack ->
            ok = beamr_nif:call_abort(Call),
            {error, Class, Reason, Stack, State}
    end.

%% What the import fun answered (outside its try: a crash in the rest
%% of the call is not the fun's).
answer(Answer, Fun, Import, Call, State, C) ->
    case Answer of
        {ok, Results, NewState} ->
            drive(beamr_nif:call_resume(Call, import_results(Results,
                                                             Import)),
                  Fun, NewState, C);
        unhandled ->
            unhandled(Import, Call, State);
        {emscripten_throw, NewState} ->
            %% A JS-style throw (Emscripten's __cxa_throw and kin):
            %% unwinds to the innermost invoke_*.
            drive(beamr_nif:call_resume(Call, '$unwind'), Fun, NewState, C);
        _BadReturn ->
            %% Not {ok, Results, State}: answer with something that
            %% traps the wasm code (host_error), as wrong results do.
            drive(beamr_nif:call_resume(Call, bad_return), Fun, State, C)
    end.

unhandled(#{module := M, func := N}, Call, State) ->
    ok = beamr_nif:call_abort(Call),
    {error, {unhandled_import, M, N}, State}.

%% An import fun, or what the start bound (`{bound, Data}').
apply_import({bound, Data}, State, Import = #{module := M, func := N},
             Opts) ->
    case maps:find({M, N}, maps:get(bound, Data, #{})) of
        {ok, F} ->
            bound_results(call_bound(F, Import), State);
        error ->
            case maps:get(import_fun, Data, undefined) of
                undefined -> unhandled;
                Fun -> Fun(State, Import, Opts)
            end
    end;
apply_import(Fun, State, Import, Opts) ->
    Fun(State, Import, Opts).

call_bound(F, #{args := Args}) when is_function(F, 1) ->
    F(Args);
call_bound(F, Import = #{args := Args}) ->
    F(maps:remove(args, Import), Args).

bound_results(Results, State) when is_list(Results) ->
    {ok, Results, State};
bound_results(_Other, _State) ->
    bad_return.

%% Runs `F' (an import fun) against the call's deadline. The fun runs
%% here, in the caller; a watchdog ends the call and releases the
%% instance when the deadline passes, and `'$beamr_timeout'' is then
%% the answer whatever the fun returns; else `{done, Answer}'. One
%% watchdog serves every import of a call (kept in the process
%% dictionary under the call's `dog' key, stopped when the call ends).
with_deadline(infinity, _Call, _C, F) ->
    {done, F()};
with_deadline(Deadline, Call, C = #{release := Release}, F) ->
    Dog = watchdog_of(Deadline, C),
    Dog ! {arm, Call, Release},
    try F() of
        Result ->
            case disarm(Dog) of
                fired -> '$beamr_timeout';
                ok -> {done, Result}
            end
    catch
        Class:Reason:Stack ->
            _ = disarm(Dog),
            erlang:raise(Class, Reason, Stack)
    end.

watchdog_of(Deadline, #{dog := Key}) ->
    case get({?MODULE, Key}) of
        undefined ->
            Caller = self(),
            Dog = spawn(fun() -> watchdog(Caller, Deadline) end),
            put({?MODULE, Key}, Dog),
            Dog;
        Dog ->
            Dog
    end.

disarm(Dog) ->
    Dog ! {disarm, self()},
    receive {Dog, Outcome} -> Outcome end.

stop_watchdog(#{dog := Key}) ->
    case erase({?MODULE, Key}) of
        undefined -> ok;
        Dog -> Dog ! stop, ok
    end.

%% Idle between imports; armed while an import fun runs.
watchdog(Caller, Deadline) ->
    Mon = erlang:monitor(process, Caller),
    watchdog_idle(Caller, Mon, Deadline).

watchdog_idle(Caller, Mon, Deadline) ->
    receive
        {arm, Call, Release} ->
            watchdog_armed(Caller, Mon, Deadline, Call, Release);
        stop ->
            ok;
        {'DOWN', Mon, process, Caller, _} ->
            ok
    end.

watchdog_armed(Caller, Mon, Deadline, Call, Release) ->
    receive
        {disarm, Caller} ->
            Caller ! {self(), ok},
            watchdog_idle(Caller, Mon, Deadline);
        {'DOWN', Mon, process, Caller, _} ->
            ok
    after wait_ms(Deadline) ->
        ok = beamr_nif:call_abort(Call),
        case Release of
            {Pid, Holder, Ref} -> Pid ! {beamr_release, Holder, Ref};
            none -> ok
        end,
        receive
            {disarm, Caller} -> Caller ! {self(), fired};
            {'DOWN', Mon, process, Caller, _} -> ok
        end
    end.

%% An import fun's results with `{Shape, Lanes}' pairs at v128 results
%% (by the import's signature) as integers.
import_results(Results, #{func_sig := Sig}) ->
    case beamr_v128:has_pair(Results) of
        false -> Results;
        true -> beamr_v128:convert(Results, beamr_v128:sig_results(Sig))
    end.

%% ------------------------------------------------------------------
%% Queueing at the owner (only when the instance is busy)

acquire(Pid, Deadline) ->
    Mon = erlang:monitor(process, Pid),
    Pid ! {beamr_acquire, self(), Mon},
    receive
        {beamr_granted, Mon} ->
            {ok, Mon};
        {'DOWN', Mon, process, Pid, {shutdown, {beamr_migrated, New}}} ->
            {error, {migrated, New}};
        {'DOWN', Mon, process, Pid, _} ->
            {error, stopped}
    after wait_ms(Deadline) ->
        %% Withdraw the request; a grant that crossed it is released
        %% by the same message.
        Pid ! {beamr_release, self(), Mon},
        erlang:demonitor(Mon, [flush]),
        receive {beamr_granted, Mon} -> ok after 0 -> ok end,
        {error, timeout}
    end.

wait_ms(infinity) ->
    infinity;
wait_ms(Deadline) ->
    Left = Deadline - erlang:monotonic_time(nanosecond),
    max(0, (Left + 999999) div 1000000).
