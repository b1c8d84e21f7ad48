using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace McpCqrs.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class McpTaskInputRequests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "McpTaskInputRequests",
                columns: table => new
                {
                    TaskId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    RequestJson = table.Column<string>(type: "TEXT", nullable: false),
                    ResponseJson = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    AnsweredAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_McpTaskInputRequests", x => new { x.TaskId, x.Key });
                    table.ForeignKey(
                        name: "FK_McpTaskInputRequests_McpTasks_TaskId",
                        column: x => x.TaskId,
                        principalTable: "McpTasks",
                        principalColumn: "TaskId",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "McpTaskInputRequests");
        }
    }
}
