%% Sandboxed NIFs: beamr:call_nif/3,4 on the guest functions of
%% test/nif_guest/nif_test.c (built by `make nif-guest-programs' into
%% build/nif_guest/): the seed's three functions, one function per
%% erl_nif_wasm.h function over every term type, bad guests, limits,
%% yielding and process binding.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_nif_guest_tests).

-include_lib("eunit/include/eunit.hrl").

-define(GUEST, "build/nif_guest/nif_test.wasm").

%% (func (export "f") (param i32 i32 i32) (result i64) i64.const 0):
%% a NIF's type, but no erl_nif_wasm_argv (not built with the header).
-define(NO_HEADER,
        <<0,97,115,109,1,0,0,0,1,8,1,96,3,127,127,127,1,126,3,2,1,0,5,3,1,
          0,1,7,14,2,6,109,101,109,111,114,121,2,0,1,102,0,0,10,6,1,4,0,66,
          0,11>>).
%% The same with an erl_nif_wasm_argv that answers 65530: 8 bytes of
%% argv there would end past the 64 KiB memory.
-define(BAD_ARGV,
        <<0,97,115,109,1,0,0,0,1,13,2,96,1,127,1,127,96,3,127,127,127,1,
          126,3,3,2,0,1,5,3,1,0,1,7,34,3,6,109,101,109,111,114,121,2,0,17,
          101,114,108,95,110,105,102,95,119,97,115,109,95,97,114,103,118,0,
          0,1,102,0,1,10,13,2,6,0,65,250,255,3,11,4,0,66,0,11>>).

guest() ->
    {ok, Bin} = file:read_file(?GUEST),
    {ok, Mod} = beamr:compile(Bin),
    Mod.

%% The guest imports env.callback, served by per-call import funs.
start() ->
    {ok, Inst} = beamr:start(guest(), #{lazy_imports => true}),
    Inst.

nif(Inst, Name, Args) ->
    beamr:call_nif(Inst, Name, Args).

%% {error, {trap, ...}} with a message containing `Text'.
assert_trap(Text, {error, {trap, #{reason := host_error, message := M}}}) ->
    ?assertNotEqual(nomatch, binary:match(M, Text));
assert_trap(_Text, Other) ->
    ?assertEqual(trap, Other).

with_instance(Tests) ->
    {setup, fun start/0, fun beamr:stop/1,
     fun(I) -> [?_test(T(I)) || T <- Tests] end}.

%% ------------------------------------------------------------------
%% The seed's functions

seed_test_() ->
    with_instance(
      [fun(I) -> ?assertEqual({ok, 11}, nif(I, add_terms, [4, 7])) end,
       fun(I) ->
               ?assertEqual({ok, 25},
                            nif(I, add_list_terms, [[4, 6, 3, 7, 5]]))
       end,
       fun(I) ->
               ?assertEqual({ok, <<5, 4, 3, 2, 1>>},
                            nif(I, binary_reverse, [<<1, 2, 3, 4, 5>>]))
       end,
       fun(I) ->
               Big = crypto:strong_rand_bytes(100000),
               Rev = list_to_binary(lists:reverse(binary_to_list(Big))),
               ?assertEqual({ok, Rev}, nif(I, "binary_reverse", [Big]))
       end,
       fun(I) -> ?assertEqual({error, badarg}, nif(I, add_terms, [a, 1])) end,
       fun(I) ->
               ?assertEqual({error, badarg},
                            nif(I, add_list_terms, [[1, 2 | 3]]))
       end]).

%% ------------------------------------------------------------------
%% Reading terms: enif_get_* answers false on the wrong type

getters_test_() ->
    Others = [a, 1.5, <<"b">>, [1], {1}, #{}, self(), make_ref(),
              fun() -> ok end, 1 bsl 70],
    with_instance(
      [fun(I) ->
               [?assertEqual({ok, V}, nif(I, get_int, [V]))
                || V <- [0, -1, 42, 16#7fffffff, -16#80000000]],
               [?assertEqual({ok, false}, nif(I, get_int, [V]))
                || V <- [16#80000000, -16#80000001 | Others]]
       end,
       fun(I) ->
               [?assertEqual({ok, V}, nif(I, get_uint, [V]))
                || V <- [0, 16#ffffffff]],
               [?assertEqual({ok, false}, nif(I, get_uint, [V]))
                || V <- [-1, 1 bsl 32 | Others]]
       end,
       fun(I) ->
               [?assertEqual({ok, V}, nif(I, get_int64, [V]))
                || V <- [-(1 bsl 63), (1 bsl 63) - 1, 1 bsl 40, -7]],
               [?assertEqual({ok, false}, nif(I, get_int64, [V]))
                || V <- [1 bsl 63 | Others]]
       end,
       fun(I) ->
               [?assertEqual({ok, V}, nif(I, get_uint64, [V]))
                || V <- [0, (1 bsl 64) - 1]],
               [?assertEqual({ok, false}, nif(I, get_uint64, [V]))
                || V <- [-1, 1 bsl 64 | Others]]
       end,
       fun(I) ->
               ?assertEqual({ok, 2.5}, nif(I, get_double, [1.25])),
               ?assertEqual({ok, -1.0e300}, nif(I, get_double, [-5.0e299])),
               %% As in erl_nif: an integer is not a double.
               [?assertEqual({ok, false}, nif(I, get_double, [V]))
                || V <- [3, a, <<"1.0">>]]
       end,
       fun(I) ->
               ?assertEqual({ok, {<<"hello">>, 5}},
                            nif(I, get_atom, [hello])),
               ?assertEqual({ok, {<<"with space">>, 10}},
                            nif(I, get_atom, ['with space'])),
               [?assertEqual({ok, false}, nif(I, get_atom, [V]))
                || V <- [<<"hello">>, "hello", 1]],
               %% The buffer must hold the name and its NUL.
               ?assertEqual({ok, 0}, nif(I, get_atom_small, [hello, 5])),
               ?assertEqual({ok, 6}, nif(I, get_atom_small, [hello, 6]))
       end,
       fun(I) ->
               ?assertEqual({ok, {[1, a, <<"b">>, {c}, [d]], []}},
                            nif(I, list_cells, [[1, a, <<"b">>, {c}, [d]]])),
               %% Improper lists end in their tail.
               ?assertEqual({ok, {[1, 2], 3}},
                            nif(I, list_cells, [[1, 2 | 3]])),
               ?assertEqual({ok, {[], {x}}}, nif(I, list_cells, [{x}])),
               ?assertEqual({ok, {"abc", []}}, nif(I, list_cells, ["abc"]))
       end,
       fun(I) ->
               ?assertEqual({ok, 0}, nif(I, list_length, [[]])),
               ?assertEqual({ok, 3}, nif(I, list_length, [[a, [b], c]])),
               ?assertEqual({ok, 100000},
                            nif(I, list_length, [lists:seq(1, 100000)])),
               [?assertEqual({ok, false}, nif(I, list_length, [V]))
                || V <- [[1 | 2], {}, <<>>]]
       end,
       fun(I) ->
               ?assertEqual({ok, []}, nif(I, tuple_to_list, [{}])),
               T = {1, {2}, [3], <<"4">>, #{5 => 6}, 1 bsl 80},
               ?assertEqual({ok, tuple_to_list(T)},
                            nif(I, tuple_to_list, [T])),
               Wide = list_to_tuple(lists:seq(1, 1000)),
               ?assertEqual({ok, lists:seq(1, 1000)},
                            nif(I, tuple_to_list, [Wide])),
               [?assertEqual({ok, false}, nif(I, tuple_to_list, [V]))
                || V <- [[1], a, <<>>]]
       end,
       fun(I) ->
               Big = binary:copy(<<"x">>, 1 bsl 20),
               <<_, Sub:5/binary, _/binary>> = <<"0123456789">>,
               [?assertEqual({ok, byte_size(B)}, nif(I, binary_size, [B]))
                || B <- [<<>>, <<"abc">>, Big, Sub]],
               [?assertEqual({ok, false}, nif(I, binary_size, [V]))
                || V <- ["abc", abc, <<1:3>>]]
       end,
       fun(I) ->
               ?assertEqual({ok, <<"abcd">>},
                            nif(I, iolist_copy,
                                [[<<"ab">>, $c, [[<<"d">>]], []]])),
               ?assertEqual({ok, <<"bin">>}, nif(I, iolist_copy, [<<"bin">>])),
               ?assertEqual({ok, <<>>}, nif(I, iolist_copy, [[]])),
               [?assertEqual({ok, false}, nif(I, iolist_copy, [V]))
                || V <- [[a], [256], 7, [<<"a">> | b]]]
       end,
       fun(I) ->
               M = #{a => 1, <<"b">> => [2], {c} => #{d => 3}},
               ?assertEqual({ok, 1}, nif(I, map_get, [M, a])),
               ?assertEqual({ok, [2]}, nif(I, map_get, [M, <<"b">>])),
               ?assertEqual({ok, #{d => 3}}, nif(I, map_get, [M, {c}])),
               ?assertEqual({ok, error}, nif(I, map_get, [M, b])),
               ?assertEqual({ok, error}, nif(I, map_get, [[{a, 1}], a])),
               ?assertEqual({ok, 3}, nif(I, map_size, [M])),
               ?assertEqual({ok, 0}, nif(I, map_size, [#{}])),
               ?assertEqual({ok, false}, nif(I, map_size, [[]]))
       end]).

%% ------------------------------------------------------------------
%% Making terms

makers_test_() ->
    with_instance(
      [fun(I) ->
               Bin = <<"abc">>,
               Expected = {-42, -(1 bsl 63), (1 bsl 64) - 1, 1.5, hello,
                           {-42, hello, Bin}, [7 | 8], Bin,
                           #{k => 1, Bin => [Bin, Bin]}, []},
               ?assertEqual({ok, Expected}, nif(I, make_terms, []))
       end,
       fun(I) ->
               ?assertEqual({ok, [1 | 2]}, nif(I, make_list_cell, [1, 2])),
               ?assertEqual({ok, [a]}, nif(I, make_list_cell, [a, []])),
               ?assertEqual({ok, [{x} | <<"y">>]},
                            nif(I, make_list_cell, [{x}, <<"y">>]))
       end,
       fun(I) ->
               ?assertEqual({ok, #{a => 1, b => [2]}},
                            nif(I, map_put_all, [#{}, [{a, 1}, {b, [2]}]])),
               %% Puts replace.
               ?assertEqual({ok, #{a => 2}},
                            nif(I, map_put_all, [#{a => 1}, [{a, 2}]])),
               ?assertEqual({ok, false},
                            nif(I, map_put_all, [[], [{a, 1}]]))
       end,
       fun(I) ->
               ?assertEqual({ok, <<>>}, nif(I, make_binary, [0])),
               Bytes = << <<(N band 255)>> || N <- lists:seq(0, 299) >>,
               ?assertEqual({ok, Bytes}, nif(I, make_binary, [300]))
       end,
       fun(I) ->
               %% Not finite: badarg, as erl_nif's enif_make_double.
               ?assertEqual({error, badarg}, nif(I, make_double, []))
       end,
       fun(I) ->
               ?assertEqual({ok, abc}, nif(I, make_atom, [<<"abc">>])),
               Long = binary:copy(<<"a">>, 255),
               ?assertEqual({ok, binary_to_atom(Long, latin1)},
                            nif(I, make_atom, [Long])),
               ?assertEqual({error, badarg},
                            nif(I, make_atom, [<<Long/binary, "a">>]))
       end,
       fun(I) -> ?assertEqual({error, badarg}, nif(I, make_badarg, [])) end,
       fun(I) ->
               [?assertEqual({error, {exception, T}},
                             nif(I, raise_exception, [T]))
                || T <- [reason, {my, [nested, #{x => <<"y">>}]}, 1 bsl 90]]
       end]).

%% ------------------------------------------------------------------
%% enif_is_* and enif_compare

is_types_test_() ->
    Port = hd(erlang:ports()),
    Cases = [{a, [atom]}, {<<"b">>, [binary]}, {[], [empty_list, list]},
             {[1], [list]}, {[1 | 2], [list]}, {{}, [tuple]}, {#{}, [map]},
             {1, [number]}, {1 bsl 100, [number]}, {1.5, [number]},
             {self(), [pid]}, {make_ref(), [ref]}, {fun() -> ok end, ['fun']},
             {Port, [port]}],
    with_instance(
      [fun(I) ->
               [begin
                    {ok, Got} = nif(I, is_types, [T]),
                    ?assertEqual({T, lists:sort(Want)}, {T, lists:sort(Got)})
                end || {T, Want} <- Cases]
       end,
       fun(I) ->
               Pairs = [{1, 2}, {2, 1}, {a, a}, {1, 1.0}, {1, a},
                        {{a, [b]}, {a, [b]}}, {<<"a">>, <<"b">>},
                        {1 bsl 80, 1 bsl 81}, {#{a => 1}, #{a => 1}},
                        {[1 | 2], [1, 2]}],
               [?assertEqual({ok, {cmp(A, B), bool(A =:= B)}},
                             nif(I, compare, [A, B]))
                || {A, B} <- Pairs]
       end]).

cmp(A, B) when A < B -> -1;
cmp(A, B) when A > B -> 1;
cmp(_, _) -> 0.

bool(true) -> 1;
bool(false) -> 0.

%% Every term type goes in and comes back whole.
round_trip_test_() ->
    Terms = [0, -1, 1 bsl 200, -(1 bsl 200), 3.25, atom, '', <<>>,
             <<"bin">>, <<1:5>>, "string", [a | b], {}, {1, {2, {3}}},
             #{a => #{b => [c]}}, self(), make_ref(), fun lists:sort/1,
             [<<"io">>, [$l, <<"ist">>]]],
    with_instance(
      [fun(I) ->
               ?assertEqual({ok, {Terms, []}}, nif(I, list_cells, [Terms]))
       end,
       fun(I) ->
               %% 255 arguments, the most an Erlang function has, reach
               %% the guest (add_terms wants 2); 256 are refused.
               Args = lists:seq(1, 255),
               ?assertEqual({error, badarg}, nif(I, add_terms, Args)),
               ?assertError(badarg, nif(I, add_terms, [0 | Args]))
       end]).

%% ------------------------------------------------------------------
%% Bad guests: traps and errors, never a crash

bad_guest_test_() ->
    with_instance(
      [fun(I) ->
               assert_trap(<<"invalid term handle">>,
                           nif(I, forged_handle, [1])),
               assert_trap(<<"invalid term handle">>,
                           nif(I, return_forged, [1]))
       end,
       fun(I) ->
               %% A handle kept from an earlier call is refused.
               ?assertEqual({ok, 0}, nif(I, keep_handle, [41])),
               assert_trap(<<"invalid term handle">>, nif(I, use_kept, [])),
               assert_trap(<<"invalid term handle">>, nif(I, return_kept, []))
       end,
       fun(I) ->
               assert_trap(<<"binary pointer out of bounds">>,
                           nif(I, binary_out_of_bounds, [])),
               assert_trap(<<"pointer out of bounds">>,
                           nif(I, copy_out_of_bounds, [<<"data">>])),
               assert_trap(<<"pointer out of bounds">>,
                           nif(I, get_int_out_of_bounds, [1])),
               %% A wrong type is no trap: enif_get_int answers false first.
               ?assertEqual({ok, 0}, nif(I, get_int_out_of_bounds, [a]))
       end,
       fun(I) ->
               ?assertEqual({error, {invalid_nif, not_a_nif_function}},
                            nif(I, not_a_nif, [])),
               ?assertEqual({error, function_not_found},
                            nif(I, no_such_function, [])),
               ?assertError(badarg, nif(I, 42, [])),
               ?assertError(badarg, beamr:call_nif(I, add_terms, not_a_list))
       end,
       %% The instance is still fine after all that.
       fun(I) -> ?assertEqual({ok, 3}, nif(I, add_terms, [1, 2])) end]).

not_built_with_header_test() ->
    {ok, I} = beamr:start(?NO_HEADER),
    ?assertEqual({error, {invalid_nif, argv_out_of_bounds}},
                 beamr:call_nif(I, f, [1])),
    ok = beamr:stop(I),
    {ok, J} = beamr:start(?BAD_ARGV),
    ?assertEqual({error, {invalid_nif, argv_out_of_bounds}},
                 beamr:call_nif(J, f, [1])),
    %% No arguments fit; the answer (handle 0) is no handle of the call.
    assert_trap(<<"invalid term handle">>, beamr:call_nif(J, f, [])),
    ok = beamr:stop(J).

%% An `erl_nif' import beamr does not serve, or one of the wrong type,
%% fails the link (a module that imports one is not started).
link_test() ->
    %% (import "erl_nif" "enif_no_such" (func (param i32) (result i64)))
    Unknown = <<0,97,115,109,1,0,0,0,1,6,1,96,1,127,1,126,2,24,1,7,101,
                114,108,95,110,105,102,12,101,110,105,102,95,110,111,95,
                115,117,99,104,0,0>>,
    %% (import "erl_nif" "enif_make_int" (func (param i32 i64)
    %%  (result i64))): the int is an i32.
    WrongType = <<0,97,115,109,1,0,0,0,1,7,1,96,2,127,126,1,126,2,25,1,7,
                  101,114,108,95,110,105,102,13,101,110,105,102,95,109,97,
                  107,101,95,105,110,116,0,0>>,
    [?assertMatch({error, {link, #{reason := incompatible_import_type,
                                   module := <<"erl_nif">>}}},
                  beamr:start(Bin))
     || Bin <- [Unknown, WrongType]].

%% ------------------------------------------------------------------
%% Limits, fuel, timeouts, yielding

limits_test_() ->
    {timeout, 60,
     with_instance(
       [fun(I) ->
                %% An endless loop building a list: timeout ends it.
                ?assertEqual({error, timeout},
                             beamr:call_nif(I, endless_list, [a],
                                            #{timeout => 50})),
                ?assertEqual({ok, 3}, nif(I, add_terms, [1, 2]))
        end,
        fun(I) ->
                %% A huge term hits the default max_terms (4M).
                ?assertEqual({error, {limit, max_terms}},
                             nif(I, build_list, [3000000])),
                ?assertEqual({error, {limit, max_terms}},
                             beamr:call_nif(I, build_list, [600],
                                            #{max_terms => 1000})),
                ?assertEqual({ok, lists:reverse(lists:seq(0, 299))},
                             beamr:call_nif(I, build_list, [300],
                                            #{max_terms => 1000}))
        end,
        fun(I) ->
                ?assertEqual({error, {limit, max_binary}},
                             beamr:call_nif(I, make_binary, [2000],
                                            #{max_binary => 1000})),
                ?assertMatch({ok, <<0, 1, _:998/binary>>},
                             beamr:call_nif(I, make_binary, [1000],
                                            #{max_binary => 1000})),
                ?assertError(badarg, beamr:call_nif(I, make_binary, [1],
                                                    #{max_terms => 10}))
        end,
        fun(I) ->
                %% One enif_make_list_from_array takes at most 65,536
                %% elements (its work stays bounded).
                ?assertEqual({ok, lists:seq(0, 65535)},
                             nif(I, from_array, [65536])),
                ?assertEqual({error, badarg}, nif(I, from_array, [65537]))
        end,
        fun(I) ->
                ?assertEqual({error, out_of_fuel},
                             beamr:call_nif(I, build_list, [100000],
                                            #{fuel => 10000}))
        end,
        fun(I) ->
                %% Yields every 1000 instructions while building a large
                %% list; the answer is the same.
                N = 200000,
                ?assertEqual({ok, lists:reverse(lists:seq(0, N - 1))},
                             beamr:call_nif(I, build_list, [N],
                                            #{fuel_slice => 1000}))
        end])}.

%% While one process builds a large list in the instance, another
%% process's call queues and then runs. The builder is scheduled out
%% again and again while it builds (it yields; no wall-clock bound:
%% the test machines are shared).
concurrency_test_() ->
    {timeout, 60,
     fun() ->
             I = start(),
             Self = self(),
             P = spawn_link(fun() ->
                                    receive go -> ok end,
                                    Self ! {built, nif(I, build_list,
                                                       [1000000])}
                            end),
             erlang:trace(P, true, [running]),
             P ! go,
             timer:sleep(5),
             ?assertEqual({ok, 11}, nif(I, add_terms, [4, 7])),
             receive {built, {ok, L}} -> ?assertEqual(1000000, length(L))
             after 30000 -> ?assert(false)
             end,
             Outs = count_outs(P, 0),
             ?assert(Outs >= 10),
             ok = beamr:stop(I)
     end}.

count_outs(P, N) ->
    receive
        {trace, P, out, _} -> count_outs(P, N + 1);
        {trace, P, _, _} -> count_outs(P, N)
    after 100 -> N
    end.

%% Large arguments and answers are copied on a dirty CPU scheduler
%% (copies cannot be sliced): dirty schedulers get busy during the
%% call.
big_terms_test_() ->
    {timeout, 60,
     fun() ->
             I = start(),
             Big = [{N, <<"x">>, [N]} || N <- lists:seq(1, 500000)],
             Deep = lists:foldl(fun(N, Acc) -> [N | [Acc]] end, [],
                                lists:seq(1, 200000)),
             {R1, Dirty1} = dirty_time(fun() -> nif(I, identity, [Big]) end),
             ?assertEqual({ok, Big}, R1),
             ?assert(Dirty1 > 0),
             {R2, Dirty2} = dirty_time(fun() -> nif(I, identity, [Deep]) end),
             ?assertEqual({ok, Deep}, R2),
             ?assert(Dirty2 > 0),
             ?assertEqual({ok, 500000}, nif(I, list_length, [Big])),
             %% 4 MiB of binary bytes to copy in at the end.
             Size = 4 bsl 20,
             {R3, Dirty3} = dirty_time(fun() -> nif(I, make_binary, [Size])
                                       end),
             ?assertEqual({ok, << <<(N band 255)>>
                                  || N <- lists:seq(0, Size - 1) >>}, R3),
             ?assert(Dirty3 > 0),
             ok = beamr:stop(I)
     end}.

%% The result of F and the active time of the dirty CPU schedulers
%% meanwhile.
dirty_time(F) ->
    erlang:system_flag(scheduler_wall_time, true),
    Before = dirty_active(),
    R = F(),
    After = dirty_active(),
    erlang:system_flag(scheduler_wall_time, false),
    {R, After - Before}.

dirty_active() ->
    Normal = erlang:system_info(schedulers),
    Dirty = erlang:system_info(dirty_cpu_schedulers),
    lists:sum([A || {Id, A, _} <- erlang:statistics(scheduler_wall_time_all),
                    Id > Normal, Id =< Normal + Dirty]).

%% A caller that dies in a NIF call releases the instance; stop ends a
%% running NIF call.
caller_death_test() ->
    I = start(),
    P = spawn(fun() -> nif(I, endless_list, [a]) end),
    timer:sleep(20),
    exit(P, kill),
    ?assertEqual({ok, 11}, beamr:call_nif(I, add_terms, [4, 7],
                                          #{timeout => 5000})),
    Self = self(),
    spawn(fun() -> Self ! {ended, nif(I, endless_list, [a])} end),
    timer:sleep(20),
    ok = beamr:stop(I),
    receive {ended, R} -> ?assertEqual({error, stopped}, R)
    after 5000 -> ?assert(false)
    end,
    ?assertEqual({error, stopped}, nif(I, add_terms, [1, 2])).

%% An import fun may make NIF calls on the same instance: the outer
%% call keeps its argv and the bytes it inspected.
nested_test() ->
    I = start(),
    Fun = fun(S, #{func := <<"callback">>, args := [N]}, _) ->
                  {ok, Rev} = beamr:call_nif(I, binary_reverse, [<<"xyz">>]),
                  {ok, [N + byte_size(Rev)], S}
          end,
    Bin = <<"hello nested">>,
    ?assertEqual({ok, {byte_size(Bin) + 3, Bin, Bin}},
                 beamr:call_nif(I, nested, [Bin], #{import_fun => Fun})),
    ?assertEqual({error, {unhandled_import, <<"env">>, <<"callback">>}},
                 nif(I, nested, [Bin])),
    ?assertEqual({ok, 11}, nif(I, add_terms, [4, 7])),
    ok = beamr:stop(I).

%% Many calls leave no memory behind (terms are freed with each call).
no_leak_test() ->
    I = start(),
    Run = fun() ->
                  [{ok, _} = nif(I, make_terms, []) || _ <- lists:seq(1, 2000)]
          end,
    Run(),
    erlang:garbage_collect(),
    Before = erlang:memory(total),
    Run(),
    erlang:garbage_collect(),
    After = erlang:memory(total),
    ?assert(After - Before < 4000000),
    ok = beamr:stop(I).

%% ------------------------------------------------------------------
%% process_bound (the seed's scenario)

process_bound_test() ->
    Self = self(),
    Owner = spawn(fun() ->
                          {ok, I} = beamr:start(guest(),
                                                #{process_bound => true,
                                                  lazy_imports => true,
                                                  detached => true}),
                          Self ! {inst, I, nif(I, add_terms, [4, 7]),
                                  beamr:call(I, <<"erl_nif_wasm_argv">>, [0])},
                          receive die -> ok end
                  end),
    I = receive {inst, Inst, R1, R2} ->
                ?assertEqual({ok, 11}, R1),
                ?assertMatch({ok, [_]}, R2),
                Inst
        end,
    %% Any other process: wrong_process, for NIF calls and plain calls.
    ?assertEqual({error, wrong_process}, nif(I, add_terms, [4, 7])),
    ?assertEqual({error, wrong_process},
                 beamr:call(I, <<"erl_nif_wasm_argv">>, [0])),
    %% The owner dies ("crash the shell"): still the wrong process.
    Mon = erlang:monitor(process, Owner),
    Owner ! die,
    receive {'DOWN', Mon, process, Owner, _} -> ok end,
    ?assertEqual({error, wrong_process}, nif(I, add_terms, [4, 7])),
    ok = beamr:stop(I).

%% Not detached, the instance ends with the process it is bound to.
process_bound_owner_death_test() ->
    Self = self(),
    Owner = spawn(fun() ->
                          {ok, I} = beamr:start(guest(),
                                                #{process_bound => true,
                                                  lazy_imports => true}),
                          Self ! {inst, I},
                          receive die -> ok end
                  end),
    I = receive {inst, Inst} -> Inst end,
    ?assertEqual({error, wrong_process}, nif(I, add_terms, [4, 7])),
    Mon = erlang:monitor(process, Owner),
    Owner ! die,
    receive {'DOWN', Mon, process, Owner, _} -> ok end,
    timer:sleep(20),
    ?assertEqual({error, stopped}, nif(I, add_terms, [4, 7])).

%% Without the option any process may call.
not_bound_test() ->
    I = start(),
    Self = self(),
    spawn(fun() -> Self ! {r, nif(I, add_terms, [1, 2])} end),
    receive {r, R} -> ?assertEqual({ok, 3}, R) end,
    ?assertError(badarg, beamr:start(guest(), #{process_bound => yes})),
    ok = beamr:stop(I).

%% ------------------------------------------------------------------
%% The example: one C file as a sandboxed NIF and as a real NIF

example_test() ->
    Build = "build/nif_guest",
    true = code:add_patha(Build),
    {ok, Wasm} = file:read_file(filename:join(Build, "levenshtein.wasm")),
    {ok, I} = beamr:start(Wasm),
    ?assertEqual({ok, 3}, beamr:call_nif(I, distance,
                                         [<<"kitten">>, <<"sitting">>])),
    ?assertEqual(3, levenshtein:distance(<<"kitten">>, <<"sitting">>)),
    Bin = fun(N) -> << <<($a + rand:uniform(3) - 1)>>
                       || _ <- lists:seq(1, N) >> end,
    [begin
         A = Bin(rand:uniform(40) - 1),
         B = Bin(rand:uniform(40) - 1),
         ?assertEqual({ok, levenshtein:distance(A, B)},
                      beamr:call_nif(I, distance, [A, B]))
     end || _ <- lists:seq(1, 50)],
    Words = [Bin(5 + rand:uniform(5)) || _ <- lists:seq(1, 100)],
    ?assertEqual({ok, levenshtein:closest(<<"abcab">>, Words)},
                 beamr:call_nif(I, closest, [<<"abcab">>, Words])),
    ?assertEqual({ok, {none, -1}}, beamr:call_nif(I, closest, [<<"a">>, []])),
    ?assertError(badarg, levenshtein:distance(a, <<>>)),
    ?assertEqual({error, badarg}, beamr:call_nif(I, distance, [a, <<>>])),
    ok = beamr:stop(I).
