using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace McpCqrs.Infrastructure.Persistence.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            // Tasks completed before the column existed: their stored results say whether they were tool errors.
            migrationBuilder.Sql("""UPDATE "McpTasks" SET "ResultIsError" = 1 WHERE "ResultJson" IS NOT NULL AND json_valid("ResultJson") AND json_extract("ResultJson", '$.isError') = 1;""");
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
