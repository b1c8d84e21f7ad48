using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace McpCqrs.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class McpTaskResultIsError : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "ResultIsError",
                table: "McpTasks",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            // Tasks completed before the column existed: their stored results say whether they were tool errors.
            migrationBuilder.Sql("""UPDATE "McpTasks" SET "ResultIsError" = TRUE WHERE "ResultJson" IS NOT NULL AND ("ResultJson"::jsonb ->> 'isError') = 'true';""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ResultIsError",
                table: "McpTasks");
        }
    }
}
