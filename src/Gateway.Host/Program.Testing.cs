// Only for tests: WebApplicationFactory<Program> needs the top-level-statement Program class to be public.
public partial class Program;
