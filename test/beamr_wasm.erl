%% @doc Test helper: builds small wasm binaries by hand (no toolchain).
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_wasm).

-export([module/1, functype/2, func_import/3, import/3, export/3,
         code/1, code/2, u/1, s/1, name/1, vec/1, kind/1, limits/1,
         fixture/1, fixture/2]).

%% Opcodes used by the tests, by name (the engine's opcodes.h is the
%% reference; these are the spec's encodings).
-export([op/1]).

-spec module([{atom(), iodata()}]) -> binary().
module(Sections) ->
    iolist_to_binary([<<0, "asm", 1, 0, 0, 0>>,
                      [section(Id, C) || {Id, C} <- Sections]]).

section(Name, Content) ->
    B = iolist_to_binary(Content),
    [section_id(Name), u(byte_size(B)), B].

section_id(type) -> 1;
section_id(import) -> 2;
section_id(function) -> 3;
section_id(table) -> 4;
section_id(memory) -> 5;
section_id(global) -> 6;
section_id(export) -> 7;
section_id(start) -> 8;
section_id(elem) -> 9;
section_id(code) -> 10;
section_id(data) -> 11.

-spec u(non_neg_integer()) -> binary().
u(N) when N < 128 -> <<N>>;
u(N) -> <<1:1, (N band 127):7, (u(N bsr 7))/binary>>.

-spec s(integer()) -> binary().
s(N) when N >= -64, N < 64 -> <<0:1, (N band 127):7>>;
s(N) -> <<1:1, (N band 127):7, (s(N bsr 7))/binary>>.

-spec vec([iodata()]) -> iolist().
vec(Items) -> [u(length(Items)), Items].

-spec name(binary()) -> iolist().
name(B) -> [u(byte_size(B)), B].

-spec kind(atom()) -> byte().
kind(i32) -> 16#7f;
kind(i64) -> 16#7e;
kind(f32) -> 16#7d;
kind(f64) -> 16#7c;
kind(v128) -> 16#7b;
kind(funcref) -> 16#70;
kind(externref) -> 16#6f.

-spec functype([atom()], [atom()]) -> iolist().
functype(Params, Results) ->
    [16#60, vec([kind(P) || P <- Params]), vec([kind(R) || R <- Results])].

-spec limits({non_neg_integer()} | {non_neg_integer(), non_neg_integer()})
            -> iolist().
limits({Min}) -> [0, u(Min)];
limits({Min, Max}) -> [1, u(Min), u(Max)].

-spec func_import(binary(), binary(), non_neg_integer()) -> iolist().
func_import(Mod, Name, TypeIdx) ->
    [name(Mod), name(Name), 0, u(TypeIdx)].

%% import(Mod, Name, Desc) with Desc already encoded (kind byte first).
-spec import(binary(), binary(), iodata()) -> iolist().
import(Mod, Name, Desc) ->
    [name(Mod), name(Name), Desc].

-spec export(binary(), func | table | memory | global, non_neg_integer())
            -> iolist().
export(Name, Kind, Index) ->
    [name(Name), case Kind of func -> 0; table -> 1; memory -> 2;
                              global -> 3 end, u(Index)].

%% A function body without locals; `end' is appended.
-spec code(iodata()) -> iolist().
code(Body) -> code([], Body).

%% With locals: [{Count, Kind}].
-spec code([{non_neg_integer(), atom()}], iodata()) -> iolist().
code(Locals, Body) ->
    B = iolist_to_binary([vec([[u(N), kind(K)] || {N, K} <- Locals]),
                          Body, op('end')]),
    [u(byte_size(B)), B].

-spec op(atom()) -> binary().
op(unreachable) -> <<16#00>>;
op(block) -> <<16#02>>;
op(loop) -> <<16#03>>;
op('end') -> <<16#0b>>;
op(br) -> <<16#0c>>;
op(call) -> <<16#10>>;
op(drop) -> <<16#1a>>;
op(local_get) -> <<16#20>>;
op(global_get) -> <<16#23>>;
op(global_set) -> <<16#24>>;
op(i32_load) -> <<16#28>>;
op(memory_size) -> <<16#3f, 0>>;
op(i32_const) -> <<16#41>>;
op(i64_const) -> <<16#42>>;
op(f64_const) -> <<16#44>>;
op(i32_add) -> <<16#6a>>;
op(f32_div) -> <<16#95>>;
op(f64_div) -> <<16#a3>>;
op(void) -> <<16#40>>.

%% A fixture path: $BEAMR_FIXTURES (default ../shared/fixtures, relative
%% to the repository root where the tests run).
-spec fixture(string()) -> binary().
fixture(Name) -> fixture("hyperbeam", Name).

-spec fixture(string(), string()) -> binary().
fixture(Dir, Name) ->
    Root = os:getenv("BEAMR_FIXTURES", "../shared/fixtures"),
    {ok, Bin} = file:read_file(filename:join([Root, Dir, Name])),
    Bin.
