%% @doc EUnit tests that drive hb_beamr the way HyperBEAM's `dev_wasm'
%% device does today, in the `hyperbeam' mode (`{hb_beamr_mode,
%% hyperbeam}' in the beamr application's environment):
%% <ul>
%% <li>an import resolver that does `list_to_binary/1' on the module
%%     name, the function name and the signature it is given, and
%%     dispatches to an Erlang "stdlib" by `<<Module/Function>>';</li>
%% <li>every call's result matched as `{ResType, Res, StateAfter}',
%%     errors included;</li>
%% <li>AOS `handle' calls with every import served from Erlang;</li>
%% <li>the four fixtures that import Emscripten's `invoke_*' computing
%%     their right results (they trap or compute garbage when invoke_*
%%     is answered by a stub).</li>
%% </ul>
%% The default (`seed') shapes are checked against the same modules.
%% SPDX-License-Identifier: Apache-2.0
-module(hb_dev_wasm_tests).
-include_lib("eunit/include/eunit.hrl").

-define(T(F), {timeout, 120, F}).

%% ------------------------------------------------------------------
%% dev_wasm's pattern

%% Runs Fun with the application environment in the given mode.
in_mode(Mode, Fun) ->
    Old = application:get_env(beamr, hb_beamr_mode),
    application:set_env(beamr, hb_beamr_mode, Mode),
    try Fun()
    after
        case Old of
            undefined -> application:unset_env(beamr, hb_beamr_mode);
            {ok, V} -> application:set_env(beamr, hb_beamr_mode, V)
        end
    end.

%% dev_wasm:compute/3's core: the call and its `{ResType, Res, After}'
%% match (a 2-tuple, as beamr's seed shape gives, is a badmatch here).
compute(WASM, Func, Params, Msg) ->
    {ResType, Res, MsgAfter} =
        hb_beamr:call(WASM, Func, Params, fun import/3, Msg, #{}),
    {ResType, Res, MsgAfter}.

%% dev_wasm:import/3: names arrive as strings; list_to_binary/1 on all
%% three raises badarg on binaries, as it does in HyperBEAM.
import(Msg, #{module := Module, func := Func, func_sig := Sig,
              args := Args, instance := WASM}, Opts) ->
    Mod = list_to_binary(Module),
    Fn = list_to_binary(Func),
    _Signature = list_to_binary(Sig),
    Calls = maps:get(import_calls, Msg, []),
    Msg1 = Msg#{import_calls => [<<Mod/binary, "/", Fn/binary>> | Calls]},
    stdlib(Mod, Fn, Args, WASM, Msg1, Opts).

%% The "stdlib" the resolver dispatches to (dev_wasm finds it by path).
stdlib(<<"my_lib">>, <<"mul">>, [A, B], _WASM, Msg, _Opts) ->
    {ok, [A * B], Msg};
stdlib(<<"env">>, <<"tick">>, [], _WASM, Msg, _Opts) ->
    {ok, [], Msg#{ticks => maps:get(ticks, Msg, 0) + 1}};
stdlib(<<"env">>, Fn, Args, WASM, Msg, Opts) ->
    emscripten(Fn, Args, WASM, Msg, Opts);
stdlib(Mod, Fn, Args, WASM, Msg, Opts) ->
    %% WASI: served by the AOS test helper (binary names).
    beamr_aos:wasi_import(Msg, #{module => Mod, func => Fn, args => Args,
                                 instance => WASM}, Opts).

%% The Emscripten runtime imports the AOS builds use.
emscripten(<<"_emscripten_memcpy_js">>, [Dest, Src, N], WASM, Msg, _) ->
    {ok, Bin} = hb_beamr_io:read(WASM, Src, N),
    ok = hb_beamr_io:write(WASM, Dest, Bin),
    {ok, [], Msg};
emscripten(<<"emscripten_date_now">>, [], _WASM, Msg, _) ->
    {ok, [float(erlang:system_time(millisecond))], Msg};
emscripten(<<"_emscripten_get_now_is_monotonic">>, [], _WASM, Msg, _) ->
    {ok, [1], Msg};
emscripten(<<"emscripten_resize_heap">>, [Size], WASM, Msg, _) ->
    {ok, Cur} = hb_beamr_io:size(WASM),
    Ok = case beamr:grow(WASM, (Size - Cur + 65535) div 65536) of
             {ok, _} -> 1;
             _ -> 0
         end,
    {ok, [Ok], Msg};
emscripten(<<"_abort_js">>, [], _WASM, _Msg, _) ->
    error(abort);
emscripten(<<"_emscripten_system">>, [Cmd], _WASM, Msg, _) ->
    {ok, [case Cmd of 0 -> 0; _ -> -52 end], Msg};
emscripten(_Fn, _Args, _WASM, Msg, _) ->
    {ok, [-52], Msg}. %% -ENOSYS for the syscalls

start(File) ->
    {ok, WASM, _Imports, _Exports} =
        hb_beamr:start(beamr_wasm:fixture(File)),
    WASM.

%% One AOS message, as dev_json_iface sends it: strings written with
%% hb_beamr_io, `handle' computed, the JSON result read back.
aos_handle(WASM, MsgJson, Msg) ->
    {ok, EnvPtr} = hb_beamr_io:write_string(WASM, beamr_aos:env_json()),
    {ok, MsgPtr} = hb_beamr_io:write_string(WASM, MsgJson),
    {ok, [Ptr], After} = compute(WASM, "handle", [MsgPtr, EnvPtr], Msg),
    {ok, Json} = hb_beamr_io:read_string(WASM, Ptr),
    {Json, After}.

aos_ping(WASM) ->
    {Json, After} = aos_handle(WASM, beamr_aos:msg_json(<<"ping">>), #{}),
    {beamr_json:decode(Json), After}.

%% ------------------------------------------------------------------
%% Tests

names_are_strings_test() ->
    in_mode(hyperbeam, fun() ->
        W = start("pow_calculator.wasm"),
        {ok, [32], After} = compute(W, "pow", [2, 5], #{}),
        ?assertEqual(lists:duplicate(5, <<"my_lib/mul">>),
                     maps:get(import_calls, After)),
        %% The string signature reaches the resolver too.
        Sig = fun(S, #{func_sig := FS, func := F}, _) ->
                      ?assert(is_list(FS) andalso is_list(F)),
                      {ok, [1], S}
              end,
        ?assertMatch({ok, [1], _}, hb_beamr:call(W, "pow", [2, 5], Sig)),
        hb_beamr:stop(W)
    end).

%% The seed shapes stay the default: binary names (list_to_binary/1
%% raises), 2-tuple errors.
seed_shapes_test() ->
    in_mode(seed, fun() ->
        W = start("pow_calculator.wasm"),
        ?assertMatch({error, error, badarg, _, #{}},
                     hb_beamr:call(W, "pow", [2, 5], fun import/3, #{}, #{})),
        ?assertEqual({error, function_not_found},
                     hb_beamr:call(W, "nope", [], fun import/3, #{}, #{})),
        hb_beamr:stop(W)
    end).

%% Wasm-side failures keep the state the imports reached.
errors_keep_state_test() ->
    Bin = beamr_wat:wasm(
            "(module (import \"env\" \"tick\" (func $tick))"
            " (func (export \"boom\") (call $tick) (call $tick) unreachable)"
            " (func (export \"id\") (param i32) (result i32) local.get 0))"),
    in_mode(hyperbeam, fun() ->
        {ok, W, _, _} = hb_beamr:start(Bin),
        {error, {trap, #{reason := unreachable}}, After} =
            compute(W, "boom", [], #{start => 1}),
        ?assertMatch(#{start := 1, ticks := 2}, After),
        ?assertEqual({error, function_not_found, #{s => 1}},
                     compute(W, "missing", [], #{s => 1})),
        %% Bad arguments stay a 2-tuple, as in HyperBEAM.
        ?assertEqual({error, {invalid_args, [a]}},
                     hb_beamr:call(W, "id", [a], fun import/3, #{}, #{})),
        %% A raising import keeps its 5-tuple.
        Raise = fun(_, _, _) -> error(nope) end,
        ?assertMatch({error, error, nope, _, #{k := v}},
                     hb_beamr:call(W, "boom", [], Raise, #{k => v}, #{})),
        {ok, [7], #{}} = compute(W, "id", [7], #{}),
        hb_beamr:stop(W)
    end).

%% An instance keeps the mode it started with.
mode_is_per_instance_test() ->
    W = in_mode(hyperbeam, fun() -> start("pow_calculator.wasm") end),
    in_mode(seed, fun() ->
        ?assertMatch({ok, [32], _}, compute(W, "pow", [2, 5], #{}))
    end),
    hb_beamr:stop(W).

%% The real AO workload with every import served from Erlang.
aos_handle_test_() ->
    ?T(fun() ->
        in_mode(hyperbeam, fun() ->
            W = start("aos-2-pure-xs.wasm"),
            {Json, After} = aos_handle(W, beamr_aos:msg_json(<<"return 1 + 1">>),
                                       #{}),
            ?assertEqual(<<"2">>, beamr_aos:output(beamr_json:decode(Json))),
            %% The resolver saw every import with string names.
            Calls = maps:get(import_calls, After),
            ?assert(lists:all(fun is_binary/1, Calls) andalso Calls =/= []),
            hb_beamr:stop(W)
        end)
    end).

%% The AOS builds with Emscripten's JS-style setjmp: invoke_vjj runs
%% Lua's protected calls; a Lua error longjmps back to its invoke.
invoke_aos_test_() ->
    [{File, ?T(fun() -> in_mode(hyperbeam, fun() -> aos_invoke(File) end) end)}
     || File <- ["test-wasi-aos.wasm", "test-standalone-ex-aos.wasm",
                 "test-aos.wasm"]].

aos_invoke(File) ->
    W = start(File),
    %% The test process answers every message with this output; no
    %% Handlers module, so ao.send adds nothing to the outbox.
    Expected = #{<<"ok">> => true,
                 <<"response">> => #{<<"Output">> => <<"sent pong reply">>,
                                     <<"Messages">> => [],
                                     <<"Spawns">> => [],
                                     <<"Assignments">> => []}},
    {Response, _} = aos_ping(W),
    ?assertEqual(Expected, Response),
    case File of
        "test-aos.wasm" ->
            ok; %% Asyncify build: its handle prints nothing on errors
        _ ->
            %% Malformed JSON: Lua's json.decode raises, the error
            %% longjmps (_emscripten_throw_longjmp) to the invoke_vjj
            %% of its protected call, which reports it; the instance
            %% stays consistent.
            {Json, After} = aos_handle(W, <<"{\"Data\": \"ping\", oops">>,
                                       #{}),
            ?assertEqual(<<>>, Json),
            Out = iolist_to_binary(maps:get(1, After)),
            ?assertMatch({_, _}, binary:match(Out, <<"expected string">>)),
            ?assertEqual({Expected, #{}}, aos_ping(W))
    end,
    hb_beamr:stop(W).

%% With invoke_* sent to a stub (HyperBEAM's old behaviour), the same
%% message computes garbage: the native invoke is what makes it right.
invoke_stubbed_fails_test_() ->
    ?T(fun() ->
        Bin = beamr_wasm:fixture("test-wasi-aos.wasm"),
        {ok, W} = beamr:start(Bin, #{lazy_imports => true,
                                     imports => #{{<<"env">>, <<"invoke_vjj">>}
                                                      => import_fun}}),
        {ok, EnvPtr} = hb_beamr_io:write_string(W, beamr_aos:env_json()),
        {ok, MsgPtr} = hb_beamr_io:write_string(W, beamr_aos:msg_json(<<"ping">>)),
        Stub = fun(S, #{func := <<"invoke_vjj">>}, _) -> {ok, [], S};
                  (S, I, O) -> beamr_aos:wasi_import(S, I, O)
               end,
        ?assertMatch({error, {trap, _}},
                     beamr:call(W, <<"handle">>, [MsgPtr, EnvPtr], Stub, #{},
                                #{})),
        beamr:stop(W)
    end).

%% C++ exceptions by Emscripten's JS protocol: __cxa_throw (served in
%% Erlang by beamr_emscripten) unwinds to invoke_vjjj, the landing pad
%% finds its catch clause, the program goes on. Its source prints these
%% four lines (test-ex.wasm's strings).
invoke_cxx_exceptions_test_() ->
    ?T(fun() ->
        Fun = beamr_emscripten:wrap(fun(S, _, _) -> {ok, [0], S} end),
        ?assertEqual({ok, #{exit_code => 0, stderr => <<>>,
                            stdout => <<"enter main\nenter try\n"
                                        "catching runtime_error\n"
                                        "exit main\n">>}},
                     beamr:run_wasi(beamr_wasm:fixture("test-ex.wasm"),
                                    #{import_fun => Fun, state => #{}})),
        %% Without the exception runtime the throw reaches no catch:
        %% the call traps (an uncaught JS exception in Emscripten).
        Plain = fun(S, _, _) -> {ok, [0], S} end,
        ?assertMatch({error, {trap, _}},
                     beamr:run_wasi(beamr_wasm:fixture("test-ex.wasm"),
                                    #{import_fun => Plain, state => #{}}))
    end).

%% HyperBEAM's raw port protocol.
raw_protocol_test() ->
    W = start("test-print.wasm"),
    Send = fun(Cmd) -> ok = hb_beamr:wasm_send(W, {command,
                                                   term_to_binary(Cmd)}) end,
    Send({size}),
    ?assertEqual(65536, receive {execution_result, S} -> S after 1000 -> no end),
    Send({read, 66, 13}),
    ?assertEqual(<<"Hello, World!">>,
                 receive {execution_result, B} -> B after 1000 -> no end),
    Send({write, 66, <<"HELLO">>}),
    ?assertEqual(ok, receive ok -> ok after 1000 -> no end),
    ?assertEqual({ok, <<"HELLO, World!">>}, hb_beamr_io:read(W, 66, 13)),
    Send({read, 65530, 100}),
    ?assertEqual({error, out_of_bounds},
                 receive {error, _} = E -> E after 1000 -> no end),
    Send({write, -1, <<"x">>}),
    ?assertEqual({error, out_of_bounds},
                 receive {error, _} = E2 -> E2 after 1000 -> no end),
    hb_beamr:stop(W).

%% The raw call protocol names imports with strings in the hyperbeam
%% mode.
raw_call_names_test() ->
    in_mode(hyperbeam, fun() ->
        W = start("pow_calculator.wasm"),
        ok = hb_beamr:wasm_send(W, {command,
                                    term_to_binary({call, "pow", [2, 2]})}),
        Loop = fun Loop() ->
                       receive
                           {import, M, F, [A, B], _Sig} ->
                               ?assertEqual({"my_lib", "mul"}, {M, F}),
                               ok = hb_beamr:wasm_send(
                                      W, {command, term_to_binary(
                                                     {import_response,
                                                      [A * B]})}),
                               Loop();
                           {execution_result, R} ->
                               R
                       after 5000 -> timeout
                       end
               end,
        ?assertEqual([4], Loop()),
        hb_beamr:stop(W)
    end).
