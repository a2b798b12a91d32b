%% @doc The behaviours of HyperBEAM's hb_beamr / hb_beamr_io tests, as our
%% own tests, against the real HyperBEAM modules in ../shared/fixtures.
%% SPDX-License-Identifier: Apache-2.0
-module(hb_beamr_tests).
-include_lib("eunit/include/eunit.hrl").

-import(beamr_wasm, [fixture/1]).

%% ------------------------------------------------------------------
%% start

start_basic_test() ->
    {ok, WASM, Imports, Exports} = hb_beamr:start(fixture("test.wasm")),
    ?assert(is_pid(WASM)),
    ?assert(is_list(Imports)),
    ?assert(is_list(Exports)),
    hb_beamr:stop(WASM).

start_with_mode_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("test.wasm"), wasm),
    ?assert(is_process_alive(WASM)),
    hb_beamr:stop(WASM).

%% aot mode loads beamr's own saved modules; a wasm binary is not one.
start_aot_test() ->
    {ok, Mod} = beamr:compile(fixture("test.wasm")),
    {ok, Aot} = beamr:module_to_binary(Mod),
    {ok, WASM, [], Exports} = hb_beamr:start(Aot, aot),
    ?assert(lists:member({<<"fac">>, [f64], "(F)F"}, Exports)),
    ?assertEqual({ok, [120.0]}, hb_beamr:call(WASM, "fac", [5.0])),
    hb_beamr:stop(WASM),
    ?assertMatch({error, {aot, #{reason := aot_bad_format}}},
                 hb_beamr:start(fixture("test.wasm"), aot)).

start_invalid_wasm_test() ->
    ?assertMatch({error, _}, hb_beamr:start(<<"not a valid wasm file">>)).

start_exports_list_test() ->
    {ok, WASM, _, Exports} = hb_beamr:start(fixture("test.wasm")),
    ?assert(length(Exports) > 0),
    ?assert(lists:member({<<"fac">>, [f64], "(F)F"}, Exports)),
    hb_beamr:stop(WASM).

start_imports_list_test() ->
    {ok, WASM, Imports, _} = hb_beamr:start(fixture("pow_calculator.wasm")),
    ?assert(lists:member({<<"my_lib">>, <<"mul">>, [i32, i32], "(ii)i"},
                         Imports)),
    hb_beamr:stop(WASM).

%% ------------------------------------------------------------------
%% call

call_simple_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("test.wasm")),
    ?assertEqual({ok, [120.0]}, hb_beamr:call(WASM, "fac", [5.0])),
    hb_beamr:stop(WASM).

call_with_imports_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("pow_calculator.wasm")),
    Self = self(),
    ImportFun = fun(State, #{module := <<"my_lib">>, func := <<"mul">>,
                             args := [A, B], instance := I,
                             func_sig := "(ii)i"}, _Opts) ->
                        Self ! {mul_in, self(), I},
                        {ok, [A * B], State}
                end,
    {ok, [Result], _} = hb_beamr:call(WASM, <<"pow">>, [2, 5], ImportFun),
    ?assertEqual(32, Result),
    %% The import fun ran in this very process, for this instance.
    receive {mul_in, P, I} -> ?assertEqual({Self, WASM}, {P, I}) end,
    hb_beamr:stop(WASM).

call_with_state_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("test.wasm")),
    ImportFun = fun(State = #{counter := C}, _, _) ->
                        {ok, [0], State#{counter => C + 1}}
                end,
    {ok, _, State1} = hb_beamr:call(WASM, "fac", [3.0], ImportFun,
                                    #{counter => 0}, #{}),
    ?assertEqual(0, maps:get(counter, State1)),
    hb_beamr:stop(WASM).

call_state_threaded_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("pow_calculator.wasm")),
    Self = self(),
    ImportFun = fun(N, #{args := [A, B]}, Opts) ->
                        Self ! {opts, Opts},
                        {ok, [A * B], N + 1}
                end,
    {ok, [243], Count} = hb_beamr:call(WASM, "pow", [3, 5], ImportFun, 0,
                                       #{my => opts}),
    ?assert(Count >= 4),
    receive {opts, O} -> ?assertEqual(#{my => opts}, O) end,
    {ok, [81], _} = hb_beamr:call(WASM, "pow", [3, 4], ImportFun, 0),
    hb_beamr:stop(WASM).

call_binary_function_name_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("test.wasm")),
    ?assertEqual({ok, [24.0]}, hb_beamr:call(WASM, <<"fac">>, [4.0])),
    hb_beamr:stop(WASM).

call_multiple_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("test.wasm")),
    {ok, [R1]} = hb_beamr:call(WASM, "fac", [3.0]),
    {ok, [R2]} = hb_beamr:call(WASM, "fac", [4.0]),
    ?assertEqual({6.0, 24.0}, {R1, R2}),
    hb_beamr:stop(WASM).

call_invalid_args_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("test.wasm")),
    ?assertMatch({error, {invalid_args, _}},
                 hb_beamr:call(WASM, "fac", [<<"invalid">>],
                               fun hb_beamr:stub/3, #{}, #{})),
    hb_beamr:stop(WASM).

call_function_not_found_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("test.wasm")),
    ?assertEqual({error, function_not_found},
                 hb_beamr:call(WASM, "nope", [])),
    hb_beamr:stop(WASM).

call_import_fun_raises_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("pow_calculator.wasm")),
    Fun = fun(_, _, _) -> throw({my_error, reason}) end,
    ?assertMatch({error, throw, {my_error, reason}, [_ | _], #{s := 1}},
                 hb_beamr:call(WASM, "pow", [2, 5], Fun, #{s => 1}, #{})),
    %% The instance stays usable.
    Mul = fun(S, #{args := [A, B]}, _) -> {ok, [A * B], S} end,
    ?assertMatch({ok, [32], _}, hb_beamr:call(WASM, "pow", [2, 5], Mul)),
    hb_beamr:stop(WASM).

%% ------------------------------------------------------------------
%% stop

stop_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("test.wasm")),
    ?assert(is_process_alive(WASM)),
    ok = hb_beamr:stop(WASM),
    timer:sleep(10),
    ?assertNot(is_process_alive(WASM)).

stop_idempotent_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("test.wasm")),
    ok = hb_beamr:stop(WASM),
    ok = hb_beamr:stop(WASM),
    ?assertEqual({error, stopped}, hb_beamr:call(WASM, "fac", [1.0])).

%% ------------------------------------------------------------------
%% wasm_send

wasm_send_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("test.wasm")),
    ok = hb_beamr:wasm_send(WASM, {command,
                                   term_to_binary({call, "fac", [5.0]})}),
    receive
        {execution_result, [Result]} -> ?assertEqual(120.0, Result)
    after 5000 ->
        ?assert(false)
    end,
    hb_beamr:stop(WASM).

wasm_send_import_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("pow_calculator.wasm")),
    ok = hb_beamr:wasm_send(WASM, {command,
                                   term_to_binary({call, "pow", [2, 3]})}),
    ?assertEqual({ok, [8]}, raw_loop(WASM)),
    hb_beamr:stop(WASM).

raw_loop(WASM) ->
    receive
        {import, <<"my_lib">>, <<"mul">>, [A, B], "(ii)i"} ->
            Cmd = {import_response, [A * B]},
            ok = hb_beamr:wasm_send(WASM, {command, term_to_binary(Cmd)}),
            raw_loop(WASM);
        {import, _, _, _, _} ->
            ok = hb_beamr:wasm_send(
                   WASM, {command, term_to_binary({import_response, [0]})}),
            raw_loop(WASM);
        {execution_result, R} ->
            {ok, R}
    after 5000 ->
        timeout
    end.

%% ------------------------------------------------------------------
%% serialize / deserialize

serialize_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("test-print.wasm")),
    {ok, Memory} = hb_beamr:serialize(WASM),
    ?assert(is_binary(Memory)),
    ?assertEqual(<<"Hello, World!">>, binary:part(Memory, 66, 13)),
    hb_beamr:stop(WASM).

serialize_size_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("test-print.wasm")),
    {ok, Size} = hb_beamr_io:size(WASM),
    ?assertEqual(65536, Size),
    {ok, Memory} = hb_beamr:serialize(WASM),
    ?assertEqual(Size, byte_size(Memory)),
    hb_beamr:stop(WASM).

deserialize_roundtrip_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("test-print.wasm")),
    TestData = <<"Hello, World!">>,
    ok = hb_beamr_io:write(WASM, 0, TestData),
    {ok, Memory} = hb_beamr:serialize(WASM),
    ok = hb_beamr_io:write(WASM, 0, <<"Different!">>),
    ok = hb_beamr:deserialize(WASM, Memory),
    {ok, Restored} = hb_beamr_io:read(WASM, 0, byte_size(TestData)),
    ?assertEqual(TestData, Restored),
    hb_beamr:stop(WASM).

deserialize_into_new_instance_test() ->
    Bin = fixture("test-print.wasm"),
    {ok, W1, _, _} = hb_beamr:start(Bin),
    ok = hb_beamr_io:write(W1, 1000, <<"checkpoint">>),
    {ok, Checkpoint} = hb_beamr:serialize(W1),
    {ok, W2, _, _} = hb_beamr:start(Bin),
    ok = hb_beamr:deserialize(W2, Checkpoint),
    ?assertEqual({ok, <<"checkpoint">>}, hb_beamr_io:read(W2, 1000, 10)),
    hb_beamr:stop(W1),
    hb_beamr:stop(W2).

%% ------------------------------------------------------------------
%% stub

stub_test() ->
    State = #{test => value},
    Import = #{func => <<"test">>, args => [1, 2]},
    {ok, [0], NewState} = hb_beamr:stub(State, Import, #{}),
    ?assertEqual(State, NewState).

%% ------------------------------------------------------------------
%% hb_beamr_io

io_read_write_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("test-print.wasm")),
    ?assertEqual({ok, <<"Hello, World!">>}, hb_beamr_io:read(WASM, 66, 13)),
    ok = hb_beamr_io:write(WASM, 100, [<<"io">>, "list"]),
    ?assertEqual({ok, <<"iolist">>}, hb_beamr_io:read(WASM, 100, 6)),
    ?assertEqual({error, out_of_bounds}, hb_beamr_io:read(WASM, 65530, 7)),
    ?assertEqual({error, out_of_bounds}, hb_beamr_io:write(WASM, -1, <<1>>)),
    hb_beamr:stop(WASM).

io_malloc_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("test-calling.wasm")),
    {ok, Ptr} = hb_beamr_io:malloc(WASM, 100),
    ?assert(is_integer(Ptr) andalso Ptr > 0),
    ?assertEqual({error, malloc_failed},
                 hb_beamr_io:malloc(WASM, 128 * 1024 * 1024)),
    {ok, Ptr2} = hb_beamr_io:malloc(WASM, 100),
    ?assert(Ptr2 >= Ptr + 100 orelse Ptr2 + 100 =< Ptr),
    %% This module exports malloc but no free.
    ?assertEqual({error, function_not_found}, hb_beamr_io:free(WASM, Ptr)),
    hb_beamr:stop(WASM).

%% free/2 calls the module's exported free: a hand-made bump allocator
%% whose free counts its calls in a global.
io_free_test() ->
    {ok, WASM, _, _} = hb_beamr:start(bump_allocator()),
    {ok, P1} = hb_beamr_io:malloc(WASM, 10),
    {ok, P2} = hb_beamr_io:write_string(WASM, <<"abc">>),
    ?assertEqual({1024, 1034}, {P1, P2}),
    ok = hb_beamr_io:free(WASM, P1),
    ok = hb_beamr_io:free(WASM, P2),
    ?assertEqual({ok, 2}, beamr:global_get(WASM, <<"frees">>)),
    ?assertEqual({ok, <<"abc">>}, hb_beamr_io:read_string(WASM, P2)),
    hb_beamr:stop(WASM).

bump_allocator() ->
    W = fun beamr_wasm:op/1,
    U = fun beamr_wasm:u/1,
    S = fun beamr_wasm:s/1,
    beamr_wasm:module(
      [{type, beamr_wasm:vec([beamr_wasm:functype([i32], [i32]),
                              beamr_wasm:functype([i32], [])])},
       {function, beamr_wasm:vec([U(0), U(1)])},
       {memory, beamr_wasm:vec([beamr_wasm:limits({1})])},
       {global, beamr_wasm:vec([[16#7f, 1, W(i32_const), S(1024), W('end')],
                                [16#7f, 1, W(i32_const), S(0), W('end')]])},
       {export, beamr_wasm:vec([beamr_wasm:export(<<"malloc">>, func, 0),
                                beamr_wasm:export(<<"free">>, func, 1),
                                beamr_wasm:export(<<"frees">>, global, 1),
                                beamr_wasm:export(<<"memory">>, memory, 0)])},
       {code, beamr_wasm:vec(
                [beamr_wasm:code([W(global_get), U(0), W(global_get), U(0),
                                  W(local_get), U(0), W(i32_add),
                                  W(global_set), U(0)]),
                 beamr_wasm:code([W(global_get), U(1), W(i32_const), S(1),
                                  W(i32_add), W(global_set), U(1)])])}]).

io_string_roundtrip_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("test-calling.wasm")),
    Str = <<"Hello from Erlang, via a wasm64 malloc">>,
    {ok, Ptr} = hb_beamr_io:write_string(WASM, Str),
    ?assertEqual({ok, Str}, hb_beamr_io:read_string(WASM, Ptr)),
    {ok, Ptr2} = hb_beamr_io:write_string(WASM, ["io", <<"list">>]),
    ?assertNotEqual(Ptr, Ptr2),
    ?assertEqual({ok, <<"iolist">>}, hb_beamr_io:read_string(WASM, Ptr2)),
    ?assertEqual({ok, Str}, hb_beamr_io:read_string(WASM, Ptr)),
    hb_beamr:stop(WASM).

%% hb_beamr_io inside an import fun, on the instance being called.
io_inside_import_test() ->
    {ok, WASM, _, _} = hb_beamr:start(fixture("pow_calculator.wasm")),
    Fun = fun(S, #{instance := I, args := [A, B]}, _) ->
                  {ok, Size} = hb_beamr_io:size(I),
                  ok = hb_beamr_io:write(I, Size - 4, <<A:32/little>>),
                  {ok, <<A2:32/little>>} = hb_beamr_io:read(I, Size - 4, 4),
                  {ok, [A2 * B], S + 1}
          end,
    ?assertMatch({ok, [32], N} when N > 0,
                 hb_beamr:call(WASM, "pow", [2, 5], Fun, 0, #{})),
    hb_beamr:stop(WASM).
