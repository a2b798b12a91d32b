%% @doc Emscripten's JS-side C++ exception runtime, in Erlang.
%%
%% A C++ program built by Emscripten with JS-style exceptions (the
%% default `-fexceptions', not `-fwasm-exceptions') imports `env.invoke_*',
%% which beamr runs natively, and the `env.__cxa_*' functions that
%% Emscripten's JS glue implements: `__cxa_throw', `__cxa_begin_catch',
%% `__cxa_end_catch', `__cxa_find_matching_catch_N', `__cxa_rethrow',
%% `__resumeException', `__cxa_uncaught_exceptions' and
%% `llvm_eh_typeid_for'. {@link wrap/1} serves these (for wasm32 and
%% wasm64 modules) around an import fun that serves the rest: a throw
%% unwinds to the innermost `invoke_*', which returns zeros after the
%% module's `setThrew(1, 0)', and the landing pads find their catch
%% clause as Emscripten's glue has them do (through the module's own
%% `__cxa_can_catch', `__cxa_is_pointer_type' and the exception
%% reference counts). The runtime's state (the last exception, the
%% caught stack, the uncaught count) lives in the calling process, per
%% instance.
%%
%% Example:
%% ```
%% Fun = beamr_emscripten:wrap(fun(S, _Import, _) -> {ok, [0], S} end),
%% {ok, Out} = beamr:run_wasi(Bin, #{import_fun => Fun, state => #{}}).
%% '''
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_emscripten).
-compile(warn_missing_spec).

-export([wrap/1, handle/1]).

%% @doc An import fun that serves Emscripten's exception imports and
%% hands every other import to `Fun'.
-spec wrap(beamr:import_fun()) -> beamr:import_fun().
wrap(Fun) when is_function(Fun, 3) ->
    fun(State, Import, Opts) ->
            case handle(Import) of
                {ok, Results} -> {ok, Results, State};
                throw -> {emscripten_throw, State};
                pass -> Fun(State, Import, Opts)
            end
    end;
wrap(Other) ->
    erlang:error(badarg, [Other]).

%% @doc Serves one import if it is one of Emscripten's exception
%% imports: `{ok, Results}', `throw' (answer the import fun with
%% `{emscripten_throw, State}'), or `pass' for any other import.
-spec handle(beamr:import()) -> {ok, [integer()]} | throw | pass.
handle(#{module := M, func := F} = Import) when is_list(M) ->
    handle(Import#{module := list_to_binary(M), func := list_to_binary(F)});
handle(#{module := <<"env">>, func := Name, args := Args,
         instance := Inst, func_sig := Sig}) ->
    P = case Sig of
            "(I" ++ _ -> 8;
            _ -> 4
        end,
    imported(Name, Args, #{inst => Inst, p => P});
handle(_Import) ->
    pass.

imported(<<"__cxa_throw">>, [Ptr, Type, Destructor], E) ->
    Info = info(Ptr, E),
    put_ptr(E, Info + adjusted(E), 0),
    put_ptr(E, Info + type_off(E), Type),
    put_ptr(E, Info + 2 * p(E), Destructor),
    set(E, last, Ptr),
    set(E, uncaught, get(E, uncaught, 0) + 1),
    throw;
imported(<<"__resumeException">>, [Ptr], E) ->
    _ = get(E, last, 0) =:= 0 andalso set(E, last, Ptr),
    throw;
imported(<<"__cxa_rethrow">>, [], E) ->
    case get(E, caught, []) of
        [] ->
            {ok, []}; %% nothing to rethrow: Emscripten aborts; a no-op
        [Ptr | Rest] ->
            Info = info(Ptr, E),
            case byte(E, Info + 3 * p(E) + 1) of
                0 ->
                    put_byte(E, Info + 3 * p(E) + 1, 1),
                    put_byte(E, Info + 3 * p(E), 0),
                    set(E, uncaught, get(E, uncaught, 0) + 1);
                _ ->
                    set(E, caught, Rest)
            end,
            set(E, last, Ptr),
            throw
    end;
imported(<<"__cxa_begin_catch">>, [Ptr], E) ->
    Info = info(Ptr, E),
    _ = byte(E, Info + 3 * p(E)) =:= 0 andalso
        begin
            put_byte(E, Info + 3 * p(E), 1),
            set(E, uncaught, get(E, uncaught, 0) - 1)
        end,
    put_byte(E, Info + 3 * p(E) + 1, 0),
    set(E, caught, [Ptr | get(E, caught, [])]),
    export(E, <<"__cxa_increment_exception_refcount">>, [Ptr]),
    {ok, [exception_ptr(Ptr, Info, E)]};
imported(<<"__cxa_end_catch">>, [], E) ->
    export(E, <<"setThrew">>, [0, 0]),
    case get(E, caught, []) of
        [Ptr | Rest] ->
            set(E, caught, Rest),
            export(E, <<"__cxa_decrement_exception_refcount">>, [Ptr]);
        [] ->
            ok
    end,
    set(E, last, 0),
    {ok, []};
imported(<<"__cxa_find_matching_catch_", _/binary>>, Types, E) ->
    {ok, [find_matching_catch(Types, E)]};
imported(<<"__cxa_uncaught_exceptions">>, [], E) ->
    {ok, [get(E, uncaught, 0)]};
imported(<<"llvm_eh_typeid_for">>, [Type], _E) ->
    {ok, [Type]};
imported(_Name, _Args, _E) ->
    pass.

%% Emscripten's findMatchingCatch: the thrown pointer, with the type
%% of the matching clause (or the thrown type) in tempRet0.
find_matching_catch(Types, E) ->
    case get(E, last, 0) of
        0 ->
            tempret(E, 0),
            0;
        Thrown ->
            Info = info(Thrown, E),
            put_ptr(E, Info + adjusted(E), Thrown),
            case ptr(E, Info + type_off(E)) of
                0 ->
                    tempret(E, 0);
                ThrownType ->
                    tempret(E, catch_type(Types, ThrownType,
                                          Info + adjusted(E), E))
            end,
            Thrown
    end.

catch_type([], ThrownType, _Addr, _E) ->
    ThrownType;
catch_type([T | _], ThrownType, _Addr, _E) when T =:= 0; T =:= ThrownType ->
    ThrownType;
catch_type([T | Rest], ThrownType, Addr, E) ->
    case export(E, <<"__cxa_can_catch">>, [T, ThrownType, Addr]) of
        [0] -> catch_type(Rest, ThrownType, Addr, E);
        _ -> T
    end.

exception_ptr(Ptr, Info, E) ->
    case export(E, <<"__cxa_is_pointer_type">>, [ptr(E, Info + type_off(E))]) of
        [0] ->
            case ptr(E, Info + adjusted(E)) of
                0 -> Ptr;
                Adjusted -> Adjusted
            end;
        _ ->
            ptr(E, Ptr)
    end.

%% ------------------------------------------------------------------
%% The __cxa_exception header before the thrown object: referenceCount,
%% exceptionType, exceptionDestructor (pointer-sized), caught and
%% rethrown (bytes), adjustedPtr, padding: 6 pointers in all.

p(#{p := P}) -> P.
info(Ptr, E) -> Ptr - 6 * p(E).
type_off(E) -> p(E).
adjusted(E) -> 4 * p(E).

ptr(#{inst := I, p := P}, Addr) ->
    {ok, <<V:P/little-unit:8>>} = beamr:read(I, Addr, P),
    V.

put_ptr(#{inst := I, p := P}, Addr, V) ->
    ok = beamr:write(I, Addr, <<V:P/little-unit:8>>).

byte(#{inst := I}, Addr) ->
    {ok, <<V>>} = beamr:read(I, Addr, 1),
    V.

put_byte(#{inst := I}, Addr, V) ->
    ok = beamr:write(I, Addr, <<V>>).

tempret(E, V) ->
    export(E, <<"_emscripten_tempret_set">>, [V]).

%% A nested call of one of the module's exports (inside the import).
export(#{inst := I}, Name, Args) ->
    case beamr:call(I, Name, Args) of
        {ok, Results} -> Results;
        Error -> erlang:error({emscripten_runtime, Name, Error})
    end.

get(#{inst := I}, Key, Default) ->
    case erlang:get({?MODULE, I, Key}) of
        undefined -> Default;
        V -> V
    end.

set(#{inst := I}, Key, V) ->
    erlang:put({?MODULE, I, Key}, V).
