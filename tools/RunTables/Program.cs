// Writes the run tables of docs/*.md (regions <!-- runs:table ID,... --> ... <!-- runs:end -->) from docs/runs/ID.json.
//   dotnet run --project tools/RunTables [-- --check]   (--check: exit 1 and name the stale pages, write nothing)
using SpatiallySparse.Samples.Common;

string docs = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../docs"));
if (!Directory.Exists(Path.Combine(docs, "runs")))
    docs = Path.GetFullPath("docs");
bool check = args.Contains("--check");
IReadOnlyList<string> stale = RunTables.Update(docs, check);
Console.WriteLine(stale.Count == 0 ? "run tables up to date" : (check ? "stale: " : "wrote: ") + string.Join(", ", stale));
return check && stale.Count > 0 ? 1 : 0;
