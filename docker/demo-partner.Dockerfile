# The demo partner: a partner platform's webhook endpoint that prints and keeps what the gateway
# sends (README, "Run a cluster"). Build from the repository root:
#   docker build -f docker/demo-partner.Dockerfile -t sms-gateway-demo-partner .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Gateway.DemoPartner/Gateway.DemoPartner.csproj src/Gateway.DemoPartner/
RUN dotnet restore src/Gateway.DemoPartner/Gateway.DemoPartner.csproj
COPY src/Gateway.DemoPartner/ src/Gateway.DemoPartner/
RUN dotnet publish src/Gateway.DemoPartner/Gateway.DemoPartner.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
USER app
ENV DEMO_PARTNER_URLS=http://0.0.0.0:5090
EXPOSE 5090
ENTRYPOINT ["dotnet", "Gateway.DemoPartner.dll"]
