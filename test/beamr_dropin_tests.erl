%% @doc EUnit tests of what Wasmex users reach for and of imports bound
%% at start: bound funs (arity 1 and 2), the start's import fun, the
%% unknown-import check, names, atom function names, fuel as state,
%% supervision, logger reports, timeouts over import funs, and the
%% programmer errors that raise badarg.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_dropin_tests).
-include_lib("eunit/include/eunit.hrl").
-export([calc_module/0]).

%% env.add (i32 i32 -> i32) and env.log (i32 ->) are imported; `calc'
%% returns add(a, b) * 2 after logging a; `spin' loops forever; `id'
%% needs no import. One page of memory, "hi\0" at 16, "abc" at 32 with
%% no NUL before the end of the page's tail is written by the tests.
calc_module() ->
    beamr_wat:wasm(
      "(module"
      " (import \"env\" \"add\" (func $add (param i32 i32) (result i32)))"
      " (import \"env\" \"log\" (func $log (param i32)))"
      " (memory (export \"memory\") 1)"
      " (data (i32.const 16) \"hi\\00\")"
      " (func (export \"calc\") (param i32 i32) (result i32)"
      "   (call $log (local.get 0))"
      "   (i32.mul (call $add (local.get 0) (local.get 1)) (i32.const 2)))"
      " (func (export \"id\") (param i32) (result i32) (local.get 0))"
      " (func (export \"spin\") (loop (br 0))))").

bound(Add) ->
    #{imports => #{{<<"env">>, <<"add">>} => Add,
                   {<<"env">>, <<"log">>} => fun(_) -> [] end}}.

%% ------------------------------------------------------------------
%% Imports bound at start

bound_fun_arity1_test() ->
    {ok, I} = beamr:start(calc_module(), bound(fun([A, B]) -> [A + B] end)),
    ?assertEqual({ok, [10]}, beamr:call(I, <<"calc">>, [2, 3])),
    beamr:stop(I).

%% fun(Ctx, Args): Ctx names the instance; the fun reads its memory and
%% makes a nested call.
bound_fun_ctx_test() ->
    Add = fun(#{instance := Inst, module := <<"env">>, func := <<"add">>},
              [A, B]) ->
                  {ok, <<"hi">>} = beamr:read_string(Inst, 16),
                  {ok, [B2]} = beamr:call(Inst, id, [B]),
                  [A + B2]
          end,
    {ok, I} = beamr:start(calc_module(), bound(Add)),
    ?assertEqual({ok, [14]}, beamr:call(I, calc, [3, 4])),
    beamr:stop(I).

%% A call's own import fun still wins over what the start bound.
call_import_fun_wins_test() ->
    {ok, I} = beamr:start(calc_module(), bound(fun([A, B]) -> [A + B] end)),
    Fun = fun(S, #{func := <<"add">>, args := [A, B]}, _) -> {ok, [A * B], S};
             (S, _, _) -> {ok, [], S}
          end,
    ?assertEqual({ok, [12], x}, beamr:call(I, calc, [2, 3], Fun, x, #{})),
    beamr:stop(I).

%% import_fun at start serves what no fun is bound to, with the start's
%% state.
start_import_fun_test() ->
    Fun = fun(S, #{func := <<"add">>, args := [A, B]}, _) -> {ok, [A + B + S], S};
             (S, #{func := <<"log">>}, _) -> {ok, [], S}
          end,
    {ok, I} = beamr:start(calc_module(), #{import_fun => Fun, state => 100}),
    ?assertEqual({ok, [210]}, beamr:call(I, calc, [2, 3])),
    %% The call's own state, when given, replaces the start's.
    ?assertEqual({ok, [14], 2}, beamr:call(I, calc, [2, 3], undefined, 2, #{})),
    beamr:stop(I).

bound_fun_raises_test() ->
    {ok, I} = beamr:start(calc_module(), bound(fun(_) -> error(oops) end)),
    ?assertMatch({error, error, oops, [_ | _], undefined},
                 beamr:call(I, calc, [1, 2])),
    %% The instance stays usable.
    ?assertEqual({ok, [5]}, beamr:call(I, id, [5])),
    beamr:stop(I).

bound_fun_wrong_type_test() ->
    {ok, I} = beamr:start(calc_module(), bound(fun(_) -> not_a_list end)),
    ?assertMatch({error, {trap, #{reason := host_error}}},
                 beamr:call(I, calc, [1, 2])),
    {ok, I2} = beamr:start(calc_module(), bound(fun(_) -> [1.5] end)),
    ?assertMatch({error, {trap, #{reason := host_error}}},
                 beamr:call(I2, calc, [1, 2])),
    beamr:stop(I),
    beamr:stop(I2).

unknown_import_test() ->
    Only = #{imports => #{{<<"env">>, <<"add">>} => fun(_) -> [0] end}},
    ?assertMatch({error, {link, #{reason := unknown_import,
                                  module := <<"env">>, name := <<"log">>}}},
                 beamr:start(calc_module(), Only)),
    %% Lazily resolved: found at the call that reaches it.
    {ok, I} = beamr:start(calc_module(), Only#{lazy_imports => true}),
    ?assertEqual({error, {unhandled_import, <<"env">>, <<"log">>}},
                 beamr:call(I, calc, [1, 2])),
    beamr:stop(I),
    ?assertError(badarg, beamr:start(calc_module(),
                                     #{imports => #{{<<"env">>, <<"add">>}
                                                        => fun() -> ok end}})).

%% ------------------------------------------------------------------
%% Names and atom function names

name_test() ->
    Opts = (bound(fun([A, B]) -> [A + B] end))#{name => dropin_calc},
    {ok, Pid} = beamr:start(calc_module(), Opts),
    ?assertEqual(Pid, whereis(dropin_calc)),
    ?assertEqual({ok, [10]}, beamr:call(dropin_calc, calc, [2, 3])),
    ?assertEqual({ok, 65536}, beamr:memory_size(dropin_calc)),
    ok = beamr:write(dropin_calc, 40, <<"x">>),
    ?assertEqual({ok, <<"x">>}, beamr:read(dropin_calc, 40, 1)),
    ?assertMatch([_ | _], beamr:exports(dropin_calc)),
    %% Taken: an error, and the new instance does not linger.
    ?assertEqual({error, {name_taken, dropin_calc}},
                 beamr:start(calc_module(), Opts)),
    ok = beamr:stop(dropin_calc),
    ?assertEqual(undefined, whereis(dropin_calc)),
    ok = beamr:stop(dropin_calc), %% idempotent by name too
    ?assertError(badarg, beamr:call(dropin_calc, calc, [1, 2])),
    ?assertError(badarg, beamr:start(calc_module(), Opts#{name => "str"})).

atom_function_name_test() ->
    {ok, I} = beamr:start(calc_module(), bound(fun([A, B]) -> [A + B] end)),
    ?assertEqual({ok, [7]}, beamr:call(I, id, [7])),
    ?assertEqual({error, function_not_found}, beamr:call(I, nope, [])),
    beamr:stop(I).

%% ------------------------------------------------------------------
%% Fuel as state

fuel_test() ->
    {ok, I} = beamr:start(calc_module(), bound(fun([A, B]) -> [A + B] end)),
    ?assertEqual({ok, infinity}, beamr:fuel_remaining(I)),
    ?assertEqual({ok, [3]}, beamr:call(I, id, [3])),
    ok = beamr:add_fuel(I, 1000),
    ?assertEqual({ok, 1000}, beamr:fuel_remaining(I)),
    %% Fuel is charged at calls and back-edges; a call's own fuel
    %% bounds it and is drawn from the budget.
    ?assertEqual({error, out_of_fuel}, beamr:call(I, spin, [], #{fuel => 100})),
    {ok, Left} = beamr:fuel_remaining(I),
    ?assert(Left =< 900 andalso Left > 800, Left),
    %% An endless loop draws the budget down to nothing.
    ?assertEqual({error, out_of_fuel}, beamr:call(I, spin, [])),
    ?assertEqual({ok, 0}, beamr:fuel_remaining(I)),
    ?assertEqual({error, out_of_fuel}, beamr:call(I, id, [1])),
    ok = beamr:add_fuel(I, 50),
    ?assertEqual({ok, [1]}, beamr:call(I, id, [1])),
    ok = beamr:add_fuel(I, 1000000),
    ?assertEqual({error, out_of_fuel}, beamr:call(I, spin, [], #{fuel => 100})),
    {ok, Left2} = beamr:fuel_remaining(I),
    ?assert(Left2 > 999800 andalso Left2 =< 999950, Left2),
    ?assertError(badarg, beamr:add_fuel(I, -1)),
    beamr:stop(I),
    ?assertEqual({error, stopped}, beamr:fuel_remaining(I)).

%% ------------------------------------------------------------------
%% Supervision and logger

supervised_test() ->
    Mod = calc_module(),
    Opts = (bound(fun([A, B]) -> [A + B] end))#{name => dropin_sup_calc},
    {ok, Sup} = supervisor:start_link(beamr_dropin_sup, []),
    {ok, Pid} = supervisor:start_child(Sup, beamr:child_spec({Mod, Opts})),
    ?assertEqual({ok, [10]}, beamr:call(dropin_sup_calc, calc, [2, 3])),
    %% A crash of the owner: the supervisor restarts it (transient).
    exit(Pid, kill),
    Pid2 = wait_restart(dropin_sup_calc, Pid, 50),
    ?assertNotEqual(Pid, Pid2),
    ?assertEqual({ok, [10]}, beamr:call(dropin_sup_calc, calc, [2, 3])),
    %% Terminated by the supervisor: stopped.
    ok = supervisor:terminate_child(Sup, dropin_sup_calc),
    ?assertEqual(undefined, whereis(dropin_sup_calc)),
    ?assertEqual({error, stopped}, beamr:memory_size(Pid2)),
    unlink(Sup),
    exit(Sup, shutdown).

wait_restart(Name, Old, 0) ->
    erlang:error({not_restarted, Name, Old});
wait_restart(Name, Old, N) ->
    case whereis(Name) of
        P when is_pid(P), P =/= Old -> P;
        _ -> timer:sleep(20), wait_restart(Name, Old, N - 1)
    end.

child_spec_test() ->
    ?assertMatch(#{id := beamr, start := {beamr, start_link, [<<"x">>, #{}]},
                   restart := transient}, beamr:child_spec(<<"x">>)),
    ?assertError(badarg, beamr:child_spec(42)).

logger_test() ->
    Self = self(),
    HandlerId = beamr_dropin_test_handler,
    #{level := Level} = logger:get_primary_config(),
    ok = logger:set_primary_config(level, all),
    ok = logger:add_handler(HandlerId, beamr_dropin_sup,
                            #{config => #{pid => Self},
                              filters => [{beamr, {fun logger_filters:domain/2,
                                                   {log, equal, [beamr]}}}],
                              filter_default => stop}),
    try
        {ok, I} = beamr:start(calc_module(),
                              bound(fun([A, B]) -> [A + B] end)),
        ok = beamr:stop(I),
        receive
            {log, #{level := info, msg := {report, R}, meta := Meta}} ->
                ?assertMatch(#{what := beamr_instance, event := stopped}, R),
                ?assertMatch(#{beamr_instance := I, domain := [beamr]}, Meta)
        after 2000 -> ?assert(false)
        end
    after
        logger:remove_handler(HandlerId),
        logger:set_primary_config(level, Level)
    end.

%% ------------------------------------------------------------------
%% Timeouts over import funs (issue 11)

timeout_covers_import_fun_test() ->
    Slow = fun(S, #{func := <<"add">>}, _) -> timer:sleep(400), {ok, [1], S};
              (S, _, _) -> {ok, [], S}
           end,
    {ok, I} = beamr:start(calc_module(), #{lazy_imports => true}),
    T0 = erlang:monotonic_time(millisecond),
    Self = self(),
    %% Another caller waits for the instance; it gets it at the
    %% deadline, not when the slow fun returns.
    spawn(fun() ->
                  timer:sleep(30),
                  R = beamr:call(I, id, [9]),
                  Self ! {other, R, erlang:monotonic_time(millisecond)}
          end),
    ?assertEqual({error, timeout},
                 beamr:call(I, calc, [1, 2], #{import_fun => Slow,
                                               timeout => 100})),
    receive
        {other, R, T1} ->
            ?assertEqual({ok, [9]}, R),
            ?assert(T1 - T0 < 350)
    after 2000 -> ?assert(false)
    end,
    %% Usable afterwards.
    ?assertEqual({ok, [4]}, beamr:call(I, id, [4])),
    beamr:stop(I).

%% ------------------------------------------------------------------
%% Programmer errors raise badarg

badarg_test() ->
    {ok, I} = beamr:start(calc_module(), bound(fun([A, B]) -> [A + B] end)),
    ?assertError(badarg, beamr:grow(I, -1)),
    ?assertError(badarg, beamr:call(not_a_pid, id, [1])),
    ?assertError(badarg, beamr:call("nope", id, [1])),
    ?assertError(badarg, beamr:wasi_output(I, foo)),
    ?assertError(badarg, beamr:read(I, -1, 4)),
    beamr:stop(I).

read_string_test() ->
    {ok, I} = beamr:start(calc_module(), bound(fun([A, B]) -> [A + B] end)),
    ?assertEqual({ok, <<"hi">>}, beamr:read_string(I, 16, 10)),
    ok = beamr:write(I, 32, <<"abcdef">>),
    ?assertEqual({error, string_too_long}, beamr:read_string(I, 32, 3)),
    ok = beamr:write(I, 65533, <<"xyz">>),
    ?assertEqual({error, out_of_bounds}, beamr:read_string(I, 65533, 10)),
    ?assertEqual({error, out_of_bounds}, beamr:read_string(I, 70000, 3)),
    beamr:stop(I).
