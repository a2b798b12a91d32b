%% @doc HyperBEAM's `hb_beamr_io' API (memory of an instance) as a thin
%% facade over {@link beamr}. Offsets are byte offsets in memory 0 (64-bit
%% for memory64 modules). These functions may be used from inside an
%% import fun on the instance being called.
%%
%% Errors: `{error, out_of_bounds}' (also for negative offsets),
%% `{error, no_memory}', `{error, stopped}', `{error, malloc_failed}'.
%%
%% Example:
%% ```
%% {ok, Ptr} = hb_beamr_io:write_string(WASM, <<"hello">>),
%% {ok, <<"hello">>} = hb_beamr_io:read_string(WASM, Ptr),
%% ok = hb_beamr_io:free(WASM, Ptr).
%% '''
%% SPDX-License-Identifier: Apache-2.0
-module(hb_beamr_io).
-compile(warn_missing_spec).

-export([size/1, read/3, write/3, read_string/2, write_string/2,
         malloc/2, free/2]).

%% @doc The size of the memory in bytes.
-spec size(hb_beamr:wasm()) -> {ok, non_neg_integer()} | {error, term()}.
size(WASM) ->
    beamr:memory_size(WASM).

%% @doc Reads `Size' bytes at `Offset'.
-spec read(hb_beamr:wasm(), integer(), integer()) ->
          {ok, binary()} | {error, term()}.
read(_WASM, Offset, Size) when is_integer(Offset), is_integer(Size),
                               (Offset < 0 orelse Size < 0) ->
    {error, out_of_bounds};
read(WASM, Offset, Size) ->
    beamr:read(WASM, Offset, Size).

%% @doc Writes `Data' at `Offset'.
-spec write(hb_beamr:wasm(), integer(), iodata()) -> ok | {error, term()}.
write(WASM, Offset, Data) ->
    beamr:write(WASM, Offset, Data).

%% @doc Reads the NUL-terminated string at `Offset' (without its NUL).
-spec read_string(hb_beamr:wasm(), integer()) ->
          {ok, binary()} | {error, term()}.
read_string(WASM, Offset) ->
    beamr:read_string(WASM, Offset).

%% @doc Allocates room with the module's exported `malloc', writes `Data'
%% and a NUL there, and returns the pointer.
-spec write_string(hb_beamr:wasm(), iodata()) ->
          {ok, non_neg_integer()} | {error, term()}.
write_string(WASM, Data) ->
    Bin = iolist_to_binary(Data),
    case malloc(WASM, byte_size(Bin) + 1) of
        {ok, Ptr} ->
            case write(WASM, Ptr, [Bin, 0]) of
                ok -> {ok, Ptr};
                Error -> Error
            end;
        Error ->
            Error
    end.

%% @doc Calls the module's exported `malloc(Size)'; a null pointer is
%% `{error, malloc_failed}'.
-spec malloc(hb_beamr:wasm(), non_neg_integer()) ->
          {ok, pos_integer()} | {error, term()}.
malloc(WASM, Size) ->
    case hb_beamr:call(WASM, "malloc", [Size]) of
        {ok, [0]} -> {error, malloc_failed};
        {ok, [Ptr]} -> {ok, Ptr};
        {error, _} = Error -> Error;
        Other -> {error, Other}
    end.

%% @doc Calls the module's exported `free(Ptr)'.
-spec free(hb_beamr:wasm(), non_neg_integer()) -> ok | {error, term()}.
free(WASM, Ptr) ->
    case hb_beamr:call(WASM, "free", [Ptr]) of
        {ok, _} -> ok;
        {error, _} = Error -> Error;
        Other -> {error, Other}
    end.
