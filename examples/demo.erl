%% @doc `make run': start modules, call them, serve an import from
%% Erlang, read memory, print what happens. Uses the HyperBEAM fixtures
%% in $BEAMR_FIXTURES (default ../shared/fixtures).
%% SPDX-License-Identifier: Apache-2.0
-module(demo).
-export([main/0]).

-spec main() -> ok.
main() ->
    Dir = filename:join(os:getenv("BEAMR_FIXTURES", "../shared/fixtures"),
                        "hyperbeam"),
    Read = fun(Name) ->
                   {ok, Bin} = file:read_file(filename:join(Dir, Name)),
                   Bin
           end,

    %% 1. A plain call: f64 factorial.
    {ok, Fac, _, Exports} = hb_beamr:start(Read("test.wasm")),
    io:format("test.wasm exports: ~p~n", [Exports]),
    {ok, [F5]} = hb_beamr:call(Fac, "fac", [5.0]),
    io:format("fac(5.0) = ~p~n", [F5]),
    ok = hb_beamr:stop(Fac),

    %% 2. An import served by Erlang, in this process, with a state.
    {ok, Pow, Imports, _} = hb_beamr:start(Read("pow_calculator.wasm")),
    io:format("pow_calculator.wasm function imports: ~p~n", [Imports]),
    Mul = fun(N, #{module := M, func := <<"mul">>, args := [A, B]}, _) ->
                  io:format("  import ~s.mul(~p, ~p) answered by ~p~n",
                            [M, A, B, self()]),
                  {ok, [A * B], N + 1};
             (N, _Other, _) ->
                  {ok, [0], N}
          end,
    {ok, [P], Count} = hb_beamr:call(Pow, <<"pow">>, [2, 5], Mul, 0, #{}),
    io:format("pow(2, 5) = ~p after ~p Erlang multiplications~n",
              [P, Count]),
    ok = hb_beamr:stop(Pow),

    %% 3. Memory: read, write, checkpoint.
    {ok, Print, _, _} = hb_beamr:start(Read("test-print.wasm")),
    {ok, Size} = hb_beamr_io:size(Print),
    {ok, Hello} = hb_beamr_io:read(Print, 66, 13),
    io:format("test-print.wasm memory: ~p bytes; at 66: ~p~n",
              [Size, Hello]),
    {ok, Snapshot} = hb_beamr:serialize(Print),
    ok = hb_beamr_io:write(Print, 66, <<"Hi, BEAM!!!!!">>),
    {ok, Changed} = hb_beamr_io:read(Print, 66, 13),
    ok = hb_beamr:deserialize(Print, Snapshot),
    {ok, Restored} = hb_beamr_io:read(Print, 66, 13),
    io:format("written: ~p, restored from a snapshot: ~p~n",
              [Changed, Restored]),
    ok = hb_beamr:stop(Print),

    %% 4. wasm64 memory through the module's own malloc.
    {ok, Calling, _, _} = hb_beamr:start(Read("test-calling.wasm")),
    {ok, Ptr} = hb_beamr_io:write_string(Calling, <<"a string in wasm64">>),
    {ok, Back} = hb_beamr_io:read_string(Calling, Ptr),
    io:format("test-calling.wasm: malloc'd string at ~p reads back ~p~n",
              [Ptr, Back]),
    ok = hb_beamr:stop(Calling),

    %% 5. HyperBEAM's AO process (Lua 5.3, wasm64) with native WASI.
    ao_demo(Read("aos-2-pure-xs.wasm")).

%% Evaluates two Lua messages on one AO process, as HyperBEAM does:
%% malloc and write the message and env JSON, call handle, read the
%% JSON it returns.
ao_demo(Wasm) ->
    {ok, P} = beamr:start(Wasm, #{wasi => #{stdout => discard}}),
    Eval = fun(Lua) ->
                   T0 = erlang:monotonic_time(microsecond),
                   {ok, EnvPtr} = hb_beamr_io:write_string(P, ao_env()),
                   {ok, MsgPtr} = hb_beamr_io:write_string(P, ao_msg(Lua)),
                   {ok, [Out]} = beamr:call(P, <<"handle">>,
                                            [MsgPtr, EnvPtr]),
                   {ok, Json} = hb_beamr_io:read_string(P, Out),
                   Ms = (erlang:monotonic_time(microsecond) - T0) / 1000,
                   io:format("AO eval ~s -> Output ~s (~.1f ms)~n",
                             [Lua, output_data(Json), Ms])
           end,
    Eval(<<"X = 1337">>),
    Eval(<<"return X + 1">>),
    ok = beamr:stop(P).

%% The "data" field of response.Output, found without a JSON parser.
output_data(Json) ->
    case binary:split(Json, <<"\"data\":">>) of
        [_, Rest] ->
            [Data | _] = binary:split(Rest, <<",\"">>),
            Data;
        [_] ->
            Json
    end.

ao_env() ->
    <<"{\"Process\":{\"Id\":\"AOS\",\"Owner\":\"FOOBAR\",\"Tags\":["
      "{\"name\":\"Name\",\"value\":\"Thomas\"},"
      "{\"name\":\"Authority\",\"value\":\"FOOBAR\"}]}}">>.

ao_msg(Lua) ->
    <<"{\"From\":\"FOOBAR\",\"Block-Height\":\"1\",\"Target\":\"AOS\","
      "\"Owner\":\"FOOBAR\",\"Id\":\"1\",\"Module\":\"W\",\"Tags\":["
      "{\"name\":\"Action\",\"value\":\"Eval\"}],"
      "\"Data\":\"", Lua/binary, "\"}">>.
